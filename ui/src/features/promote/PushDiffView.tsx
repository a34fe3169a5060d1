// What a push would change on the target, as the promote preview shows it: functions,
// tables and indexes added, removed and changed, and the environment variables the
// project has that the target lacks (names only).
import type { Changes, PushDiff } from "../../generated/studio";

function ChangeList({ title, changes, testId }: { title: string; changes: Changes; testId: string }) {
  const rows = [
    ...changes.added.map((name) => ({ name, sign: "+", kind: "added" })),
    ...changes.removed.map((name) => ({ name, sign: "−", kind: "removed" })),
    ...changes.changed.map((name) => ({ name, sign: "~", kind: "changed" })),
  ];
  const counts = `${changes.added.length} added, ${changes.removed.length} removed, ${changes.changed.length} changed`;
  return (
    <section className="promote-diff-section" data-testid={testId} aria-label={title}>
      <h4>
        {title} <span className="muted">{counts}</span>
      </h4>
      {rows.length === 0 ? (
        <p className="muted">No change.</p>
      ) : (
        <ul className="promote-diff-list">
          {rows.map((r) => (
            <li key={`${r.kind}:${r.name}`} className={`diff-${r.kind}`} data-change={r.kind}>
              <span className="diff-sign" aria-hidden>
                {r.sign}
              </span>
              <code>{r.name}</code> <span className="muted">{r.kind}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function PushDiffView({ diff, targetName }: { diff: PushDiff; targetName: string }) {
  return (
    <div className="promote-diff" data-testid="promote-diff">
      {diff.unchanged && (
        <p className="notice" role="status">
          {targetName} already runs this code: the push changes no function, table or index.
        </p>
      )}
      <ChangeList title="Functions" changes={diff.functions} testId="diff-functions" />
      <ChangeList title="Tables" changes={diff.tables} testId="diff-tables" />
      <ChangeList title="Indexes" changes={diff.indexes} testId="diff-indexes" />
      <section className="promote-diff-section" data-testid="diff-env" aria-label="Environment variables">
        <h4>Environment variables</h4>
        {diff.missing_env.length === 0 ? (
          <p className="muted">{targetName} has every variable the project has.</p>
        ) : (
          <>
            <p className="hint">The project has these and {targetName} does not (set them there before the code needs them):</p>
            <ul className="promote-diff-list">
              {diff.missing_env.map((name) => (
                <li key={name}>
                  <code>{name}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
