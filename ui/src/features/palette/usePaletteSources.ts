// What the palette lists, read when it opens: the deployment's tables and functions and
// the saved deployments from the studio (each may fail alone: the palette then lists the
// rest), the recent documents and queries from this browser's storage.
import { useEffect, useState } from "react";
import type { ConnectionInfo, FunctionInfo, TableSummary } from "../../generated/studio";
import { call } from "../../platform";
import { loadHistory } from "../query/queryHistory";
import { loadRecentDocuments, type RecentDocument } from "./recents";
import type { RecentQuery } from "./paletteItems";

export interface LoadedSources {
  tables: TableSummary[];
  functions: FunctionInfo[];
  connections: ConnectionInfo[];
  active: string | null;
  documents: RecentDocument[];
  queries: RecentQuery[];
  /** Still reading from the studio. */
  loading: boolean;
}

const RECENT_QUERIES = 5;

function recentQueries(deployment: string): RecentQuery[] {
  const sql = loadHistory(deployment, "sql").slice(0, RECENT_QUERIES).map((text) => ({ language: "sql" as const, text }));
  const js = loadHistory(deployment, "js").slice(0, RECENT_QUERIES).map((text) => ({ language: "js" as const, text }));
  return [...sql, ...js];
}

export function usePaletteSources(deploymentId: string | undefined, connected: boolean): LoadedSources {
  const [sources, setSources] = useState<LoadedSources>(() => ({
    tables: [],
    functions: [],
    connections: [],
    active: null,
    documents: deploymentId ? loadRecentDocuments(deploymentId) : [],
    queries: deploymentId ? recentQueries(deploymentId) : [],
    loading: true,
  }));

  useEffect(() => {
    let live = true;
    const quiet = <T,>(promise: Promise<T>, fallback: T) => promise.catch(() => fallback);
    const none = Promise.resolve(undefined);
    void Promise.all([
      connected ? quiet(call("data_tables"), []) : none,
      connected ? quiet(call("function_list", { component: null }), undefined) : none,
      quiet(call("list_connections"), undefined),
    ]).then(([tables, functions, connections]) => {
      if (!live) return;
      setSources((s) => ({
        ...s,
        tables: tables ?? [],
        functions: functions?.functions ?? [],
        connections: connections?.connections ?? [],
        active: connections?.active ?? null,
        loading: false,
      }));
    });
    return () => {
      live = false;
    };
  }, [deploymentId, connected]);

  return sources;
}
