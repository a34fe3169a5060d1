// Settings: the connected deployment's (DeploymentSettings), the theme, and facts about
// this Atrium (version, host, where files live).
import type { AppInfo, ConnectionStatus, Settings, SettingsPatch, ThemePreference } from "../../generated/studio";
import { DeploymentSettings } from "./DeploymentSettings";

const THEMES: { value: ThemePreference; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function SettingsArea({
  info,
  settings,
  onChange,
  connection,
}: {
  connection?: ConnectionStatus;
  info?: AppInfo;
  settings?: Settings;
  onChange: (patch: SettingsPatch) => void;
}) {
  return (
    <section className="settings" data-testid="area-settings">
      <DeploymentSettings connection={connection} />
      <div className="card">
        <h2>Appearance</h2>
        <div className="field">
          <span className="field-label" id="theme-label">
            Theme
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
            {THEMES.map(({ value, label }) => (
              <label key={value} className={settings?.theme === value ? "segment selected" : "segment"}>
                <input
                  type="radio"
                  name="theme"
                  value={value}
                  checked={settings?.theme === value}
                  disabled={!settings}
                  onChange={() => onChange({ theme: value })}
                />
                {label}
              </label>
            ))}
          </div>
          <p className="hint">System follows your operating system's light or dark setting.</p>
        </div>
      </div>
      <div className="card">
        <h2>About</h2>
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="app-version">{info?.version ?? "…"}</dd>
          <dt>Running as</dt>
          <dd data-testid="app-host">{info ? (info.host === "desktop" ? "Desktop window" : "Browser mode") : "…"}</dd>
          <dt>Settings folder</dt>
          <dd>
            <code>{info?.config_dir ?? "…"}</code>
          </dd>
        </dl>
        {info?.warnings.map((warning) => (
          <p key={warning} className="warning" role="alert">
            {warning}
          </p>
        ))}
      </div>
    </section>
  );
}
