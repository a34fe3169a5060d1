// The UI's one door to its host. Nothing outside src/platform/ imports @tauri-apps/*
// (a test enforces it): inside the desktop window calls go over Tauri IPC, in a plain
// browser over HTTP + WebSocket to the same studio commands.
import type { Commands, StudioEvent } from "../generated/studio";
import { tauriPlatform } from "./tauri";
import type { LinkState, Platform } from "./types";
import { webPlatform } from "./web";

export { errorMessage, StudioError } from "./types";
export type { HostKind, LinkState, Platform } from "./types";

function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

let current: Platform | undefined;

/** The platform this UI runs on, chosen once. */
export function platform(): Platform {
  current ??= insideTauri() ? tauriPlatform() : webPlatform();
  return current;
}

/** Replaces the platform (tests). */
export function setPlatform(next: Platform): void {
  current = next;
}

type Request<K extends keyof Commands> = Commands[K]["request"];
type Response<K extends keyof Commands> = Commands[K]["response"];

/** Calls a studio command with its typed request; commands without one take no argument. */
export function call<K extends keyof Commands>(
  command: K,
  ...request: Request<K> extends null ? [] : [Request<K>]
): Promise<Response<K>> {
  return platform().invoke(command, request[0] ?? null) as Promise<Response<K>>;
}

/** Subscribes to studio events; returns the unsubscribe function. */
export function onStudioEvent(handler: (event: StudioEvent) => void): () => void {
  return platform().listen(handler);
}

/** Subscribes to changes of the link to the host. */
export function onLinkChange(handler: (state: LinkState) => void): () => void {
  return platform().onLinkChange(handler);
}
