// One deployment event opened: for a push, each component's functions (or modules) added,
// removed and changed, its indexes added and removed, and the schema before and after
// side by side with the lines each lacks marked; for an import or a clear, the tables; otherwise the event's metadata.
import type { CodeChangeView, HistoryEvent } from "../../generated/studio";
import { functionsLink } from "../../lib/areaLinks";
import { type DiffLine, markLines, prettyJson } from "./historyWords";

function NameList({ title, names, sign, link }: { title: string; names: readonly string[]; sign: "+" | "−" | "~"; link?: boolean }) {
  if (!names.length) return null;
  const cls = sign === "+" ? "diff-added" : sign === "−" ? "diff-removed" : "diff-changed";
  return (
    <div className="diff-group">
      <h4>{title}</h4>
      <ul className={`diff-list ${cls}`}>
        {names.map((n) => (
          <li key={n}>
            <span className="diff-sign">{sign}</span>
            {link && sign !== "−" ? <a href={functionsLink(n)}>{n}</a> : <code>{n}</code>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SchemaSide({ lines, sign, testId }: { lines: DiffLine[]; sign: "+" | "−"; testId: string }) {
  return (
    <pre data-testid={testId}>
      {lines.map((line, i) => (
        <div key={i} className={line.changed ? (sign === "+" ? "line-added" : "line-removed") : undefined}>
          {line.text || " "}
        </div>
      ))}
    </pre>
  );
}

/** The schema before and after, pretty-printed, each side's lines the other lacks marked. */
function SchemaDiff({ before, after }: { before: string | null; after: string | null }) {
  const b = before === null ? "(none)" : prettyJson(before);
  const a = after === null ? "(none)" : prettyJson(after);
  return (
    <div className="schema-diff">
      <div>
        <div className="muted">Before</div>
        <SchemaSide lines={markLines(b, a)} sign="−" testId="schema-before" />
      </div>
      <div>
        <div className="muted">After</div>
        <SchemaSide lines={markLines(a, b)} sign="+" testId="schema-after" />
      </div>
    </div>
  );
}

function ComponentChange({ change }: { change: CodeChangeView }) {
  const nothing =
    !change.functions_added.length && !change.functions_removed.length && !change.functions_changed.length && !change.modules_added.length && !change.modules_removed.length && !change.indexes_added.length && !change.indexes_removed.length && !change.schema_changed;
  return (
    <div className="diff-component" data-testid="diff-component">
      <h3>
        {change.component ? `Component ${change.component}` : "App"} <span className="muted">({change.kind})</span>
      </h3>
      {nothing && <p className="muted">Nothing changed.</p>}
      <NameList title="Functions added" names={change.functions_added} sign="+" link />
      <NameList title="Functions removed" names={change.functions_removed} sign="−" />
      <NameList title="Functions changed" names={change.functions_changed} sign="~" link />
      {!change.has_functions && <NameList title="Modules added" names={change.modules_added} sign="+" />}
      {!change.has_functions && <NameList title="Modules removed" names={change.modules_removed} sign="−" />}
      <NameList title="Indexes added" names={change.indexes_added} sign="+" />
      <NameList title="Indexes removed" names={change.indexes_removed} sign="−" />
      {change.schema_changed && (
        <div className="diff-group">
          <h4>Schema</h4>
          {change.schema_before === null && change.schema_after === null ? (
            <p className="muted">The schema changed; this deployment does not keep its text.</p>
          ) : (
            <SchemaDiff before={change.schema_before} after={change.schema_after} />
          )}
        </div>
      )}
    </div>
  );
}

export function EventDiff({ event }: { event: HistoryEvent }) {
  if (event.code.length) {
    return (
      <div className="event-diff" data-testid="event-diff">
        {event.code.map((c) => (
          <ComponentChange key={c.component ?? ""} change={c} />
        ))}
      </div>
    );
  }
  if (event.tables.length || event.tables_deleted.length) {
    return (
      <div className="event-diff" data-testid="event-diff">
        <NameList title="Tables written" names={event.tables} sign="+" />
        <NameList title="Tables emptied" names={event.tables_deleted} sign="−" />
      </div>
    );
  }
  return (
    <div className="event-diff" data-testid="event-diff">
      <pre>{event.details}</pre>
    </div>
  );
}
