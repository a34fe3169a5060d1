// The dialog adding documents to a table: JSON (one object or an array), checked against
// the schema's document type before it is written or staged.
import { useState } from "react";
import { JsonEditor } from "../../components/JsonEditor";
import { useDialog } from "../../components/useDialog";
import { checkFields, type Doc, type Json, typeOf, type Validator } from "./values";

interface AddDocumentsProps {
  table?: string;
  /** The text the editor starts with. */
  initial: string;
  staging: boolean;
  documentType?: Validator;
  /** Writes (or stages) the checked documents; resolves to what went wrong, or null to close. */
  onSubmit(docs: Json[]): Promise<string | null>;
  onClose(): void;
}

export function AddDocumentsDialog({ table, initial, staging, documentType, onSubmit, onClose }: AddDocumentsProps) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string>();
  const dialog = useDialog<HTMLDivElement>(onClose);

  const submit = async () => {
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (e) {
      setError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    const docs = (Array.isArray(parsed) ? parsed : [parsed]) as Json[];
    for (let i = 0; i < docs.length; i++) {
      if (typeOf(docs[i]) !== "object") return setError(`Document ${i + 1} is not an object.`);
      const problem = documentType ? checkFields(documentType, docs[i] as Doc, `document ${i + 1}`) : null;
      if (problem) return setError(problem);
    }
    const problem = await onSubmit(docs);
    if (problem) setError(problem);
    else onClose();
  };

  return (
    <div className="modal-backdrop">
      <div ref={dialog} tabIndex={-1} className="modal wide" role="dialog" aria-modal="true" aria-labelledby="add-title">
        <h2 id="add-title">Add documents to {table}</h2>
        <p className="muted">One JSON object, or an array of them. Use {"{\"$integer\": …}"} or write int64 values as strings and convert later.</p>
        <JsonEditor value={text} onChange={setText} label="Documents JSON" />
        {error && <div className="inline-error" role="alert">{error}</div>}
        <div className="modal-actions">
          <button onClick={onClose}>Cancel</button>
          <button className="primary" onClick={submit}>
            {staging ? "Stage" : "Add"}
          </button>
        </div>
      </div>
    </div>
  );
}
