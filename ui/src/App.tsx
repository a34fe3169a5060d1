// The dashboard shell: sidebar, header, and the current area.
import { NotBuiltYet } from "./features/placeholder/NotBuiltYet";
import { SettingsArea } from "./features/settings/SettingsArea";
import { areaById } from "./shell/areas";
import { Header } from "./shell/Header";
import { Sidebar } from "./shell/Sidebar";
import { useArea } from "./shell/useArea";
import { useStudio } from "./state/useStudio";
import { useTheme } from "./state/useTheme";

export function App() {
  const studio = useStudio();
  useTheme(studio.settings?.theme);
  const [areaId, go] = useArea();
  const area = areaById(areaId);

  return (
    <div className="shell">
      <Sidebar current={areaId} onSelect={go} />
      <div className="main">
        <Header title={area.label} status={studio.connection} link={studio.link} />
        {studio.error && (
          <div className="banner error" role="alert">
            {studio.error}
          </div>
        )}
        <main className="content" id="content">
          {area.id === "settings" ? (
            <SettingsArea info={studio.info} settings={studio.settings} onChange={studio.updateSettings} />
          ) : (
            <NotBuiltYet area={area} />
          )}
        </main>
      </div>
    </div>
  );
}
