// The stored files, newest first: a thumbnail for images, ID, content type, size and
// creation time; a click selects one for the preview.
import type { FileView } from "../../generated/studio";
import { previewKind, sizeWords } from "./fileWords";

export function FilesTable(props: { files: FileView[]; selected?: string; onSelect(file: FileView): void }) {
  const { files } = props;
  if (files.length === 0) return <p className="muted" data-testid="no-files">No files match.</p>;
  return (
    <table className="inspector files-table" data-testid="files-table">
      <thead>
        <tr>
          <th />
          <th>ID</th>
          <th>Type</th>
          <th>Size</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {files.map((file) => (
          <tr
            key={file.id}
            data-testid="file-row"
            data-id={file.id}
            className={file.id === props.selected ? "selected" : undefined}
            onClick={() => props.onSelect(file)}
          >
            <td className="file-thumb">{previewKind(file.content_type) === "image" && <img src={file.url} alt="" loading="lazy" />}</td>
            <td>
              <code>{file.id}</code>
            </td>
            <td>{file.content_type ?? "—"}</td>
            <td title={`${file.size} bytes`}>{sizeWords(file.size)}</td>
            <td>{new Date(file.creation_ms).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
