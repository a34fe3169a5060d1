// Which documents refer to a file: each with its table, the fields holding the ID (marked
// when the schema declares them `v.id("_storage")`) and a link that opens it in Data. A
// deployment without Atrium's search (a Convex deployment) is said to lack it.
import { useEffect, useState } from "react";
import type { FileReferencesView } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { dataHash } from "../data/viewLink";

export function FileReferences({ fileId, component, deploymentName }: { fileId: string; component: string; deploymentName: string }) {
  const [found, setFound] = useState<{ id: string; view?: FileReferencesView; error?: string }>();
  const [again, setAgain] = useState(0);
  useEffect(() => {
    let live = true;
    call("files_references", { id: fileId, component: component || null })
      .then((view) => live && setFound({ id: fileId, view }))
      .catch((e: unknown) => live && setFound({ id: fileId, error: errorMessage(e) }));
    return () => {
      live = false;
    };
  }, [fileId, component, again]);

  const current = found?.id === fileId ? found : undefined;
  const view = current?.view;
  let body;
  if (!current) body = <p className="muted">Searching the tables…</p>;
  else if (current.error) body = <p className="tone-bad">{current.error}</p>;
  else if (view && !view.offered)
    body = (
      <p className="muted" data-testid="file-references-unavailable">
        {deploymentName} cannot say which documents refer to a file: Convex deployments offer no such search. Atrium&apos;s local engine does.
      </p>
    );
  else if (view && view.references.length === 0)
    body = <p className="muted">No document holds this ID{view.complete ? "" : ` among the ${view.searched} searched`}.</p>;
  else if (view)
    body = (
      <>
        <ul className="file-references">
          {view.references.map((r) => (
            <li key={`${r.table}/${r.id}`} data-testid="file-reference">
              <a className="id-link" href={dataHash({ table: r.table, doc: r.id })} title="Open in Data" data-testid="file-reference-link">
                {r.table} · {r.id}
              </a>
              <span className="muted">
                {" "}
                {r.fields.join(", ")}
                {r.declared ? " (v.id(\"_storage\"))" : ""}
              </span>
            </li>
          ))}
        </ul>
        {!view.complete && <p className="muted">The first {view.references.length} found are listed ({view.searched} documents searched).</p>}
      </>
    );
  return (
    <section className="file-references-panel" data-testid="file-references">
      <div className="toolbar">
        <h4 className="file-references-title">Referred to by</h4>
        <span className="toolbar-spacer" />
        {view?.offered !== false && (
          <button onClick={() => setAgain((n) => n + 1)} title="Search the tables again">
            Search again
          </button>
        )}
      </div>
      {body}
    </section>
  );
}
