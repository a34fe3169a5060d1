// The staged changes: how many, their review list, and Commit / Discard.
import type { Staging } from "./useStaging";

export function StagingBar({ staging }: { staging: Staging }) {
  const { staged, reviewing, error } = staging;
  if (staged.length === 0) return null;
  return (
    <div className="staging-bar" role="region" aria-label="Staged changes">
      <strong data-testid="staged-count">{staged.length} staged change{staged.length === 1 ? "" : "s"}</strong>
      <button onClick={staging.toggleReview}>{reviewing ? "Hide" : "Review"}</button>
      <button className="primary" onClick={staging.commit}>
        Commit
      </button>
      <button onClick={staging.discard}>Discard</button>
      {error && <span className="inline-error" role="alert">{error}</span>}
      {reviewing && (
        <ol className="staged-list">
          {staged.map((s, i) => (
            <li key={i}>
              <code>{s.write.op === "insert" ? "insert" : (s.write as { id: string }).id.slice(0, 10)}</code> {s.label}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
