// A modal asking for one line of text (a new table's name). Enter submits, Escape cancels.
import { useState } from "react";
import { useDialog } from "./useDialog";

export interface Prompt {
  title: string;
  label: string;
  submitLabel: string;
  placeholder?: string;
}

export function PromptDialog({ request, onAnswer }: { request: Prompt; onAnswer(value: string | null): void }) {
  const [value, setValue] = useState("");
  const dialog = useDialog<HTMLFormElement>(() => onAnswer(null));
  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        tabIndex={-1}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="prompt-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onAnswer(value.trim());
        }}
      >
        <h2 id="prompt-title">{request.title}</h2>
        <label className="prompt-field">
          {request.label}
          <input autoFocus value={value} placeholder={request.placeholder} onChange={(e) => setValue(e.target.value)} />
        </label>
        <div className="modal-actions">
          <button type="button" onClick={() => onAnswer(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!value.trim()}>
            {request.submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
