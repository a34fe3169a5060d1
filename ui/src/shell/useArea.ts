// The current area, kept in the location hash so reloads and back/forward work.
import { useCallback, useEffect, useLayoutEffect, useState } from "react";
import { type AreaId, areaForShortcut, areaFromHash, hashForArea } from "./areas";

export function useArea(): [AreaId, (id: AreaId) => void] {
  const [area, setArea] = useState<AreaId>(() => areaFromHash(window.location.hash));

  useEffect(() => {
    const onHash = () => setArea(areaFromHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const go = useCallback((id: AreaId) => {
    window.location.hash = hashForArea(id);
    setArea(id);
  }, []);

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

  return [area, go];
}
