// The dashboard shell: sidebar, header, the current area, and the command palette (Ctrl/Cmd+K).
import { useEffect, useMemo, useState } from "react";
import { ConnectionsDialog } from "./features/connections/ConnectionsDialog";
import { DataArea } from "./features/data/DataArea";
import { FilesArea } from "./features/files/FilesArea";
import { FunctionsArea } from "./features/functions/FunctionsArea";
import { LogsArea } from "./features/logs/LogsArea";
import { SchedulesArea } from "./features/schedules/SchedulesArea";
import { HealthArea } from "./features/health/HealthArea";
import { HistoryArea } from "./features/history/HistoryArea";
import { SubscriptionsArea } from "./features/subscriptions/SubscriptionsArea";
import { QueryArea } from "./features/query/QueryArea";
import { ProjectArea } from "./features/projects/ProjectArea";
import { VectorArea } from "./features/vector/VectorArea";
import { SettingsArea } from "./features/settings/SettingsArea";
import { useAreaActions } from "./features/palette/areaActions";
import { CommandPalette } from "./features/palette/CommandPalette";
import type { PaletteHandlers } from "./features/palette/paletteItems";
import { usePaletteShortcut } from "./features/palette/usePaletteShortcut";
import { requestQuery } from "./features/query/queryHistory";
import { call } from "./platform";
import { areaById } from "./shell/areas";
import { Header } from "./shell/Header";
import { Sidebar } from "./shell/Sidebar";
import { useArea } from "./shell/useArea";
import { useStudio } from "./state/useStudio";
import { useTheme } from "./state/useTheme";

export function App() {
  const studio = useStudio();
  useTheme(studio.settings?.theme);
  const deploymentId = studio.connection?.deployment?.id;
  const [areaId, nav] = useArea(deploymentId);
  const area = areaById(areaId);
  const [connections, setConnections] = useState(false);
  const [palette, setPalette] = useState(false);
  usePaletteShortcut(() => setPalette((open) => !open));
  const { go, open } = nav;
  const handlers = useMemo<PaletteHandlers>(
    () => ({
      goArea: go,
      open,
      connect: async (connection) => {
        await call("connect", { id: connection.id });
      },
      openQuery: (query) => {
        requestQuery(query.language, query.text);
        open("#/query");
      },
    }),
    [go, open],
  );
  const { updateSettings } = studio;
  useAreaActions([
    { id: "app.connections", label: "Open Connections", keywords: "deployment add saved alt+0", run: () => setConnections(true) },
    ...(["light", "dark", "system"] as const).map((theme) => ({ id: `app.theme.${theme}`, label: `Theme: ${theme}`, keywords: "appearance colour", run: () => void updateSettings({ theme }) })),
  ], { global: true });

  // Alt+0 opens Connections.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && !event.ctrlKey && !event.metaKey && (event.code === "Digit0" || event.key === "0")) {
        event.preventDefault();
        setConnections(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className="shell">
      <Sidebar current={areaId} onSelect={go} />
      <div className="main">
        <Header title={area.label} status={studio.connection} link={studio.link} onOpenConnections={() => setConnections(true)} />
        {studio.error && (
          <div className="banner error" role="alert">
            {studio.error}
          </div>
        )}
        {/* Areas belong to one deployment: another one mounts them afresh (its live views
            start, the old ones end), at the place the shell kept for it; so does a place
            opened from the command palette (a table, a document, a function). */}
        <main className="content" id="content" key={`${deploymentId ?? ""}#${nav.visit}`}>
          {area.id === "settings" ? (
            <SettingsArea info={studio.info} settings={studio.settings} onChange={studio.updateSettings} connection={studio.connection} />
          ) : area.id === "data" ? (
            <DataArea connection={studio.connection} />
          ) : area.id === "functions" ? (
            <FunctionsArea connection={studio.connection} />
          ) : area.id === "logs" ? (
            <LogsArea connection={studio.connection} />
          ) : area.id === "schedules" ? (
            <SchedulesArea connection={studio.connection} />
          ) : area.id === "files" ? (
            <FilesArea connection={studio.connection} />
          ) : area.id === "subscriptions" ? (
            <SubscriptionsArea connection={studio.connection} />
          ) : area.id === "query" ? (
            <QueryArea connection={studio.connection} />
          ) : area.id === "health" ? (
            <HealthArea connection={studio.connection} />
          ) : area.id === "history" ? (
            <HistoryArea connection={studio.connection} />
          ) : area.id === "project" ? (
            <ProjectArea />
          ) : (
            <VectorArea connection={studio.connection} />
          )}
        </main>
      </div>
      {connections && <ConnectionsDialog onClose={() => setConnections(false)} />}
      {palette && (
        <CommandPalette
          current={areaId}
          deploymentId={deploymentId}
          connected={studio.connection?.state.state === "connected"}
          handlers={handlers}
          onClose={() => setPalette(false)}
        />
      )}
    </div>
  );
}
