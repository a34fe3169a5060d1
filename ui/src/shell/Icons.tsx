// Small line icons for the sidebar, drawn on a 20×20 grid.
import type { AreaId } from "./areas";

const PATHS: Record<AreaId, string> = {
  data: "M3 5h14M3 10h14M3 15h14M7 3v14",
  functions: "M8 4c-2 0-2 2-2 4s-1 2-2 2c1 0 2 0 2 2s0 4 2 4M12 4c2 0 2 2 2 4s1 2 2 2c-1 0-2 0-2 2s0 4-2 4",
  logs: "M4 5h12M4 9h8M4 13h12M4 17h6",
  schedules: "M10 17a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM10 6v4l3 2",
  files: "M5 2h7l4 4v12H5zM12 2v4h4M8 10h5M8 13h5",
  subscriptions: "M3 10h3l2-5 4 10 2-5h3",
  vector: "M4 16L16 4M4 16l5-1M4 16l1-5M10 16h6M16 10v6",
  query: "M8.5 14a5.5 5.5 0 1 1 0-11 5.5 5.5 0 0 1 0 11zM12.5 12.5L17 17",
  health: "M10 16s-6-3.5-6-8a3.5 3.5 0 0 1 6-2 3.5 3.5 0 0 1 6 2c0 4.5-6 8-6 8z",
  history: "M3 10a7 7 0 1 0 2-5M3 3v3h3M10 6v4l3 2",
  project: "M3 6h5l2 2h7v8H3zM3 6v10",
  settings: "M10 13a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM10 2v3M10 15v3M2 10h3M15 10h3M4.3 4.3l2.1 2.1M13.6 13.6l2.1 2.1M4.3 15.7l2.1-2.1M13.6 6.4l2.1-2.1",
};

export function AreaIcon({ id }: { id: AreaId }) {
  return (
    <svg className="area-icon" width="18" height="18" viewBox="0 0 20 20" aria-hidden="true">
      <path d={PATHS[id]} fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
