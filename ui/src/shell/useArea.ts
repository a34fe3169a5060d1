// The current area, kept in the location hash so reloads and back/forward work. Each area's
// place (its hash: `#/data/messages?filter=…`, `#/functions/messages:list`, …) is
// remembered per deployment while Atrium runs: coming back to an area, or back to a
// deployment, returns to where it was.
import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from "react";
import { type AreaId, areaForShortcut, areaFromHash, hashForArea } from "./areas";

/** `<deployment>|<area>` → the area's last hash on that deployment. */
const places = new Map<string, string>();
const placeKey = (deployment: string | undefined, area: AreaId) => `${deployment ?? ""}|${area}`;
/** Keeps the current hash as `area`'s place, when it is one (not the bare page's empty hash). */
function keepPlace(deployment: string | undefined, area: AreaId) {
  const hash = window.location.hash;
  if (hash === hashForArea(area) || hash.startsWith(`${hashForArea(area)}/`) || hash.startsWith(`${hashForArea(area)}?`)) places.set(placeKey(deployment, area), hash);
}

export interface Navigation {
  /** Goes to an area, at its kept place. */
  go(id: AreaId): void;
  /** Goes to a place given as a hash (`#/data/messages?doc=…`); `visit` counts these. */
  open(hash: string): void;
  /** Bumps on every `open`: the shell mounts the area afresh to show the new place. */
  visit: number;
}

export function useArea(deploymentId?: string): [AreaId, Navigation] {
  const [area, setArea] = useState<AreaId>(() => areaFromHash(window.location.hash));
  const [deployment, setDeployment] = useState(deploymentId);
  const [visit, setVisit] = useState(0);

  // Another deployment: this one's place is kept, and the other's (if it had one) comes back.
  // Done while rendering, so areas mounted for the new deployment read its hash.
  if (deployment !== deploymentId) {
    setDeployment(deploymentId);
    if (deployment !== undefined) {
      const current = areaFromHash(window.location.hash);
      keepPlace(deployment, current);
      window.history.replaceState(null, "", places.get(placeKey(deploymentId, current)) ?? hashForArea(current));
    }
  }

  useEffect(() => {
    const onHash = () => setArea(areaFromHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const go = useCallback(
    (id: AreaId) => {
      keepPlace(deploymentId, areaFromHash(window.location.hash));
      const target = places.get(placeKey(deploymentId, id)) ?? hashForArea(id);
      if (window.location.hash !== target) window.location.hash = target;
      setArea(id);
    },
    [deploymentId],
  );

  const open = useCallback(
    (hash: string) => {
      keepPlace(deploymentId, areaFromHash(window.location.hash));
      if (window.location.hash !== hash) window.location.hash = hash;
      setArea(areaFromHash(hash));
      setVisit((v) => v + 1);
    },
    [deploymentId],
  );

  // Attached before the first paint: a shortcut pressed as soon as an area shows works
  // (an effect ran after paint, and a quick Alt+digit was lost under load).
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = areaForShortcut(event);
      if (target) {
        event.preventDefault();
        go(target);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go]);

  return [area, useMemo(() => ({ go, open, visit }), [go, open, visit])];
}
