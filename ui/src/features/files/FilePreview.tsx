// A file's preview by its content type (image, text/JSON, PDF, audio, video, loaded from the
// file's URL), its details, and its actions: download, copy URL, delete.
import { useEffect, useState } from "react";
import type { FileView } from "../../generated/studio";
import { FileReferences } from "./FileReferences";
import { previewKind, sizeWords } from "./fileWords";

/** The most text a preview shows. */
const TEXT_LIMIT = 64 * 1024;

function TextPreview({ url, json }: { url: string; json: boolean }) {
  const [text, setText] = useState<string>();
  useEffect(() => {
    let live = true;
    fetch(url)
      .then((r) => r.text())
      .then((t) => {
        if (!live) return;
        let shown = t.slice(0, TEXT_LIMIT);
        if (json) {
          try {
            shown = JSON.stringify(JSON.parse(t), null, 2).slice(0, TEXT_LIMIT);
          } catch {
            // Not valid JSON: shown as it is.
          }
        }
        setText(shown);
      })
      .catch((e: unknown) => live && setText(`Could not load the file: ${String(e)}`));
    return () => {
      live = false;
    };
  }, [url, json]);
  return <pre className="file-text" data-testid="file-preview-text">{text ?? "Loading…"}</pre>;
}

function Preview({ file }: { file: FileView }) {
  const kind = previewKind(file.content_type);
  switch (kind) {
    case "image":
      return <img className="file-image" src={file.url} alt={file.id} data-testid="file-preview-image" />;
    case "text":
      return <TextPreview url={file.url} json={(file.content_type ?? "").includes("json")} />;
    case "pdf":
      return <iframe className="file-frame" src={file.url} title={file.id} data-testid="file-preview-pdf" />;
    case "audio":
      return <audio controls src={file.url} data-testid="file-preview-audio" />;
    case "video":
      return <video className="file-image" controls src={file.url} data-testid="file-preview-video" />;
    default:
      return <p className="muted">No preview for {file.content_type ?? "files without a content type"}.</p>;
  }
}

export function FilePreview(props: { file: FileView; component: string; deploymentName: string; onDelete(file: FileView): void; onClose(): void }) {
  const { file } = props;
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(file.url);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <aside className="file-preview" data-testid="file-preview" data-id={file.id}>
      <div className="toolbar">
        <h3 className="table-title">Preview</h3>
        <span className="toolbar-spacer" />
        <button onClick={props.onClose} aria-label="Close preview">
          ×
        </button>
      </div>
      <div className="file-preview-body">
        <Preview file={file} />
      </div>
      <dl className="file-details">
        <dt>ID</dt>
        <dd>
          <code>{file.id}</code>
        </dd>
        <dt>Type</dt>
        <dd>{file.content_type ?? "—"}</dd>
        <dt>Size</dt>
        <dd>
          {sizeWords(file.size)} ({file.size} bytes)
        </dd>
        <dt>Created</dt>
        <dd>{new Date(file.creation_ms).toLocaleString()}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code className="file-hash">{file.sha256}</code>
        </dd>
      </dl>
      <div className="file-actions">
        <a className="button" href={file.url} download={file.id} target="_blank" rel="noreferrer" data-testid="file-download">
          Download
        </a>
        <button onClick={() => void copy()} data-testid="file-copy-url">
          {copied ? "Copied" : "Copy URL"}
        </button>
        <button className="danger" onClick={() => props.onDelete(file)} data-testid="file-delete">
          Delete…
        </button>
      </div>
      <FileReferences fileId={file.id} component={props.component} deploymentName={props.deploymentName} />
    </aside>
  );
}
