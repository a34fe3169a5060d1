// A modal question with a confirm and a cancel button. Enter confirms, Escape cancels.
import { useEffect, useRef } from "react";

export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
}

export function ConfirmDialog({ request, onAnswer }: { request: Confirmation; onAnswer(ok: boolean): void }) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <div
      className="modal-backdrop"
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.stopPropagation(); // only this dialog closes
        onAnswer(false);
      }}
    >
      <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-message">
        <h2 id="confirm-title">{request.title}</h2>
        <p id="confirm-message">{request.message}</p>
        <div className="modal-actions">
          <button onClick={() => onAnswer(false)}>Cancel</button>
          <button ref={confirm} className={request.danger ? "danger" : "primary"} onClick={() => onAnswer(true)}>
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
