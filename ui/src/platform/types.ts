// The host the UI runs in, seen from the UI: call a studio command, hear studio events.
import type { ErrorCode, StudioEvent } from "../generated/studio";

export type HostKind = "desktop" | "browser";

/** Whether the UI can reach its host (the Atrium process) right now. */
export type LinkState = "up" | "down";

export interface Platform {
  readonly kind: HostKind;
  /** Runs a studio command; rejects with a `StudioError`. */
  invoke(command: string, payload: unknown): Promise<unknown>;
  /** Calls `handler` for every studio event until the returned function is called. */
  listen(handler: (event: StudioEvent) => void): () => void;
  /**
   * Calls `handler` when the link to the host goes down or comes back, and with "up" once
   * the event stream is open (events sent before that were missed: re-read state then).
   */
  onLinkChange(handler: (state: LinkState) => void): () => void;
}

/** A failed studio command, with the stable code the studio gave it. */
export class StudioError extends Error {
  readonly code: ErrorCode | "unreachable";

  constructor(code: ErrorCode | "unreachable", message: string) {
    super(message);
    this.name = "StudioError";
    this.code = code;
  }
}

/** What to show for a failed call: a `StudioError`'s message, anything else as text. */
export function errorMessage(error: unknown): string {
  return error instanceof StudioError ? error.message : String(error);
}

/** Turns whatever a host rejected with into a `StudioError`. */
export function toStudioError(error: unknown): StudioError {
  if (error instanceof StudioError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (typeof code === "string" && typeof message === "string") {
      return new StudioError(code as ErrorCode, message);
    }
  }
  return new StudioError("internal", error instanceof Error ? error.message : String(error));
}
