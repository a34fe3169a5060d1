// The uploads of this session: each file's progress bar, then its storage ID or error.
import type { Upload } from "./useFiles";
import { sizeWords } from "./fileWords";

export function UploadList({ uploads, onClear }: { uploads: Upload[]; onClear(): void }) {
  if (uploads.length === 0) return null;
  return (
    <div className="file-uploads" data-testid="file-uploads">
      {uploads.map((u) => (
        <div key={u.key} className="file-upload" data-testid="file-upload" data-state={u.state}>
          <span className="file-upload-name">{u.name}</span>
          <progress max={u.size || 1} value={u.state === "done" ? u.size || 1 : u.loaded} aria-label={`Uploading ${u.name}`} />
          <span className="muted">
            {u.state === "failed" ? <span className="tone-bad">{u.error}</span> : u.state === "done" ? `${sizeWords(u.size)} · ${u.id}` : `${sizeWords(u.loaded)} of ${sizeWords(u.size)}`}
          </span>
        </div>
      ))}
      {uploads.some((u) => u.state !== "uploading") && (
        <button onClick={onClear} data-testid="clear-uploads">
          Clear finished
        </button>
      )}
    </div>
  );
}
