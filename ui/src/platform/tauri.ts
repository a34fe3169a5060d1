// The desktop window's host: Tauri IPC. The only file that imports @tauri-apps/*.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { StudioEvent } from "../generated/studio";
import { type Platform, toStudioError } from "./types";

/** Must match `STUDIO_EVENT` in src-tauri/src/desktop.rs. */
const STUDIO_EVENT = "studio-event";

export function tauriPlatform(): Platform {
  const linkHandlers = new Set<(state: "up") => void>();
  return {
    kind: "desktop",
    async invoke(command, payload) {
      try {
        return await invoke("rpc", { command, payload });
      } catch (error) {
        throw toStudioError(error);
      }
    },
    listen(handler) {
      let stop: (() => void) | undefined;
      let stopped = false;
      void listen<StudioEvent>(STUDIO_EVENT, (event) => handler(event.payload)).then((unlisten) => {
        if (stopped) unlisten();
        else {
          stop = unlisten;
          // Listening now: anything that changed before is re-read.
          for (const link of linkHandlers) link("up");
        }
      });
      return () => {
        stopped = true;
        stop?.();
      };
    },
    onLinkChange(handler) {
      // The window and its host live and die together: the link only ever comes up.
      linkHandlers.add(handler);
      return () => linkHandlers.delete(handler);
    },
  };
}
