// The Files area: the deployment's stored files newest first (filtered by content type and
// size), a preview of the selected one with download, copy URL and delete (confirmed), and
// uploads by picking or dropping several files, each with its progress. Live: files the app
// stores appear within seconds; the selected file's referring documents, with links into
// Data. Works against Convex deployments too, through the dashboard's own file functions
// and storage routes — all but the referring documents, which the preview says a Convex
// deployment does not offer (FileReferences). The component selector scopes it to one
// component instance's files, as in Convex's dashboard.
import { useRef, useState } from "react";
import type { ConnectionStatus, FileView } from "../../generated/studio";
import { ComponentSelect } from "../../components/ComponentSelect";
import { ConfirmDialog, type Confirmation } from "../../components/ConfirmDialog";
import { useComponents } from "../../lib/useComponents";
import { useQuestion } from "../../lib/useQuestion";
import { FilePreview } from "./FilePreview";
import { FilesTable } from "./FilesTable";
import { type FileFilter, matchesFilter, NO_FILTER, sizeWords, typeGroups } from "./fileWords";
import { UploadList } from "./UploadList";
import { useFiles } from "./useFiles";

export function FilesArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const components = useComponents(deployment?.id, connected);
  const [component, setComponent] = useState("");
  const files = useFiles(connected, deployment?.id, component);
  const question = useQuestion<Confirmation, boolean>();
  const [filter, setFilter] = useState<FileFilter>(NO_FILTER);
  const [selectedId, setSelectedId] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-files">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  const asksFirst = deployment.safe_mode === "confirm_writes";
  const all = files.page?.files ?? [];
  const shown = all.filter((f) => matchesFilter(f, filter));
  const selected = all.find((f) => f.id === selectedId);
  const total = files.page?.total ?? 0;

  const upload = async (list: FileList | null) => {
    const picked = [...(list ?? [])];
    if (picked.length === 0) return;
    const ok =
      !asksFirst ||
      (await question.ask({ title: `Upload ${picked.length} file${picked.length === 1 ? "" : "s"}?`, message: picked.map((f) => f.name).join(", "), confirmLabel: "Upload" }));
    if (ok) await files.upload(picked, asksFirst);
  };
  const remove = async (file: FileView) => {
    const ok = await question.ask({
      title: "Delete this file?",
      message: `${file.id} (${file.content_type ?? "no type"}, ${sizeWords(file.size)}) is deleted for good; documents that hold its ID keep a dangling ID.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    await files.remove([file], true);
    setSelectedId(undefined);
  };

  return (
    <section
      className={`files-area${dragging ? " dragging" : ""}`}
      data-testid="area-files"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void upload(e.dataTransfer.files);
      }}
    >
      <div className="toolbar">
        <ComponentSelect
          components={components}
          value={component}
          onChange={(c) => {
            setComponent(c);
            setSelectedId(undefined);
          }}
        />
        <h2 className="table-title">Files</h2>
        <span className="view-count" data-testid="file-count">
          {shown.length} shown of {total}
        </span>
        <select aria-label="Content type" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value })} data-testid="filter-type">
          <option value="">Any type</option>
          {typeGroups(all).map((t) => (
            <option key={t} value={t}>
              {t}*
            </option>
          ))}
        </select>
        <input className="file-size-input" aria-label="Smallest size (KB)" placeholder="min KB" inputMode="decimal" value={filter.minKb} onChange={(e) => setFilter({ ...filter, minKb: e.target.value })} />
        <input className="file-size-input" aria-label="Largest size (KB)" placeholder="max KB" inputMode="decimal" value={filter.maxKb} onChange={(e) => setFilter({ ...filter, maxKb: e.target.value })} />
        <span className="toolbar-spacer" />
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-picker"
          onChange={(e) => {
            void upload(e.target.files);
            e.target.value = "";
          }}
        />
        <button className="primary" onClick={() => picker.current?.click()} data-testid="upload-files">
          Upload files…
        </button>
      </div>
      <p className="muted files-hint">Drop files anywhere here to upload them.</p>
      {files.error && (
        <div className="inline-error" role="alert">
          {files.error}
        </div>
      )}
      <UploadList uploads={files.uploads} onClear={files.clearUploads} />
      {total > all.length && <p className="muted">The newest {all.length} files are listed.</p>}
      <div className="files-body">
        <div className="files-list">
          <FilesTable files={shown} selected={selectedId} onSelect={(f) => setSelectedId(f.id)} />
        </div>
        {selected && <FilePreview file={selected} component={component} deploymentName={deployment.name} onDelete={(f) => void remove(f)} onClose={() => setSelectedId(undefined)} />}
      </div>
      {question.pending && <ConfirmDialog request={question.pending} onAnswer={question.answer} />}
    </section>
  );
}
