import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionStatus } from "../generated/studio";
import { describeConnection, Header } from "./Header";

const local = { id: "sample", name: "sample-project", url: "http://127.0.0.1:3210", kind: "local" as const, colour: "#10b981", safe_mode: "normal" as const };

afterEach(cleanup);

describe("Header", () => {
  it("says plainly when no deployment is connected", () => {
    render(<Header title="Data" link="up" status={{ deployment: null, state: { state: "not_connected" } }} />);
    expect(screen.getByTestId("deployment-name").textContent).toBe("No deployment");
    expect(screen.getByTestId("connection-state").textContent).toBe("Not connected");
  });

  it("names the deployment and each connection state", () => {
    const cases: [ConnectionStatus["state"], string, string][] = [
      [{ state: "connected" }, "Connected", "tone-ok"],
      [{ state: "connecting" }, "Connecting…", "tone-idle"],
      [{ state: "reconnecting", attempt: 3, reason: "closed", connected_before: true }, "Connection lost", "tone-warn"],
      [{ state: "reconnecting", attempt: 3, reason: "connection refused", connected_before: false }, "Unreachable", "tone-bad"],
      [{ state: "refused", reason: "bad key" }, "Admin key refused", "tone-bad"],
    ];
    for (const [state, label, tone] of cases) {
      render(<Header title="Data" link="up" status={{ deployment: local, state }} />);
      expect(screen.getByTestId("deployment-name").textContent).toBe("sample-project");
      const pill = screen.getByTestId("connection-state");
      expect(pill.textContent).toBe(label);
      expect(pill.className).toContain(tone);
      cleanup();
    }
  });

  it("puts a lost link to Atrium above the deployment state", () => {
    const d = describeConnection({ deployment: local, state: { state: "connected" } }, "down");
    expect(d.label).toBe("Atrium unreachable");
    expect(d.tone).toBe("bad");
  });

  it("carries the reason as detail", () => {
    const d = describeConnection({ deployment: local, state: { state: "refused", reason: "bad admin key" } }, "up");
    expect(d.detail).toBe("bad admin key");
  });

  it("marks a deployment's safe mode", () => {
    render(<Header title="Data" link="up" status={{ deployment: { ...local, safe_mode: "read_only" }, state: { state: "connected" } }} />);
    expect(screen.getByTestId("safe-mode").textContent).toBe("read-only");
  });
});
