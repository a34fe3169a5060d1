// A top list of functions (most failing, slowest), each linking to the Logs area filtered
// to it and to the Functions area on it.
import type { FunctionHealth } from "../../generated/studio";
import { functionsLink } from "../../lib/areaLinks";
import { logsLink } from "../logs/logEntries";
import { duration, percent } from "./healthWords";

export function FunctionTops({ title, functions, empty, testId }: { title: string; functions: readonly FunctionHealth[]; empty: string; testId: string }) {
  return (
    <div className="health-card" data-testid={testId}>
      <h3>{title}</h3>
      {functions.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <table className="metrics-table">
          <thead>
            <tr>
              <th>Function</th>
              <th className="num">Calls</th>
              <th className="num">Errors</th>
              <th className="num">Failure</th>
              <th className="num">p99</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {functions.map((f) => (
              <tr key={f.function}>
                <td>
                  <a href={functionsLink(f.function)} className="mono">
                    {f.function}
                  </a>
                </td>
                <td className="num">{f.calls}</td>
                <td className="num">{f.errors}</td>
                <td className="num">{percent(f.failure_rate)}</td>
                <td className="num">{duration(f.p99_ms)}</td>
                <td>
                  <a href={logsLink(f.function)}>Logs</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
