// The connected deployment's component instances (the `component_list` command), loaded
// once per deployment: what the component selectors of the Functions and Logs areas offer.
import { useEffect, useState } from "react";
import type { ComponentSummary } from "../generated/studio";
import { call } from "../platform";

/** The instances of `deploymentId` (empty while loading, when it has none, or on error). */
export function useComponents(deploymentId: string | undefined, connected: boolean): ComponentSummary[] {
  const [loaded, setLoaded] = useState<{ id: string; list: ComponentSummary[] }>();
  useEffect(() => {
    if (!connected || !deploymentId) return;
    let current = true;
    call("component_list")
      .then((list) => current && setLoaded({ id: deploymentId, list }))
      .catch(() => current && setLoaded({ id: deploymentId, list: [] }));
    return () => {
      current = false;
    };
  }, [connected, deploymentId]);
  return loaded && loaded.id === deploymentId ? loaded.list : [];
}
