// Browser mode's host: HTTP for commands, a WebSocket for events, both to the Atrium
// process that served this page (authenticated by the cookie it set).
import type { StudioEvent } from "../generated/studio";
import { type LinkState, type Platform, StudioError, toStudioError } from "./types";

const RETRY_MS = [250, 500, 1000, 2000, 4000];

export function webPlatform(origin: string = window.location.origin): Platform {
  const handlers = new Set<(event: StudioEvent) => void>();
  const linkHandlers = new Set<(state: LinkState) => void>();
  let socket: WebSocket | undefined;
  let attempt = 0;
  let link: LinkState = "up";

  const setLink = (state: LinkState) => {
    if (state === link) return;
    link = state;
    for (const handler of linkHandlers) handler(state);
  };

  const connect = () => {
    const url = origin.replace(/^http/, "ws") + "/api/events";
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      // Announced even when the link was already up: events sent before the socket
      // opened are lost, so listeners re-read what they show.
      link = "up";
      for (const handler of linkHandlers) handler("up");
    };
    ws.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as StudioEvent;
      for (const handler of handlers) handler(event);
    };
    ws.onclose = () => {
      if (socket !== ws || handlers.size === 0) return;
      setLink("down");
      const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      attempt += 1;
      setTimeout(() => {
        if (handlers.size > 0 && socket === ws) connect();
      }, delay);
    };
  };

  return {
    kind: "browser",
    async invoke(command, payload) {
      let response: Response;
      try {
        response = await fetch(`${origin}/api/rpc/${encodeURIComponent(command)}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload ?? null),
          credentials: "same-origin",
        });
      } catch (error) {
        setLink("down");
        throw new StudioError("unreachable", `Atrium is not answering: ${String(error)}`);
      }
      setLink("up");
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      if (response.ok) {
        offerDownload(origin, body);
        return body;
      }
      if (response.status === 401) {
        throw new StudioError(
          "unreachable",
          "This page is not signed in to Atrium: open the URL Atrium printed at launch (it carries the token).",
        );
      }
      throw toStudioError(body);
    },
    listen(handler) {
      handlers.add(handler);
      if (!socket) connect();
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0 && socket) {
          const ws = socket;
          socket = undefined;
          ws.close();
        }
      };
    },
    onLinkChange(handler) {
      linkHandlers.add(handler);
      return () => linkHandlers.delete(handler);
    },
  };
}

/**
 * An export command's answer carries `download` in browser mode (the host wrote the file on
 * its own disk): the browser fetches it once from there, so the user gets it as a download.
 */
function offerDownload(origin: string, body: unknown): void {
  if (typeof body !== "object" || body === null || !("download" in body)) return;
  const { download, path } = body as { download: unknown; path?: unknown };
  if (typeof download !== "string" || !download.startsWith("/api/download/")) return;
  const link = document.createElement("a");
  link.href = origin + download;
  link.download = typeof path === "string" ? (path.split(/[\\/]/).pop() ?? "") : "";
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
}
