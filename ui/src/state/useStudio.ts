// The studio state every screen shares: app info, settings, connection status, and the
// link to the host. Loaded once, then kept current by studio events.
import { useEffect, useState } from "react";
import type { AppInfo, ConnectionStatus, Settings, SettingsPatch } from "../generated/studio";
import { call, errorMessage, onLinkChange, onStudioEvent, type LinkState } from "../platform";

export interface StudioState {
  info?: AppInfo;
  settings?: Settings;
  connection?: ConnectionStatus;
  link: LinkState;
  /** The last failure to load or save, shown to the user. */
  error?: string;
  updateSettings(patch: SettingsPatch): Promise<void>;
}

export function useStudio(): StudioState {
  const [info, setInfo] = useState<AppInfo>();
  const [settings, setSettings] = useState<Settings>();
  const [connection, setConnection] = useState<ConnectionStatus>();
  const [link, setLink] = useState<LinkState>("up");
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    const fail = (e: unknown) => live && setError(errorMessage(e));
    const load = () =>
      Promise.all([call("app_info"), call("get_settings"), call("connection_status")])
        .then(([i, s, c]) => {
          if (!live) return;
          setInfo(i);
          setSettings(s);
          setConnection(c);
          setError(undefined);
        })
        .catch(fail);
    void load();
    const stopEvents = onStudioEvent((event) => {
      switch (event.type) {
        case "settings_changed":
          setSettings(event.settings);
          break;
        case "connection_changed":
          setConnection(event.status);
          break;
      }
    });
    const stopLink = onLinkChange((state) => {
      setLink(state);
      // Back in touch: what changed while we were away is not in the event stream.
      if (state === "up") void load();
    });
    return () => {
      live = false;
      stopEvents();
      stopLink();
    };
  }, []);

  // Shown at once; put back if the studio could not save it.
  const updateSettings = async (patch: SettingsPatch) => {
    const before = settings;
    if (before) setSettings({ ...before, ...definedOnly(patch) });
    try {
      setSettings(await call("update_settings", patch));
      setError(undefined);
    } catch (e) {
      setSettings(before);
      setError(errorMessage(e));
    }
  };

  return { info, settings, connection, link, error, updateSettings };
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
