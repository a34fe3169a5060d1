// A modal question with a confirm and a cancel button. Enter confirms, Escape cancels.
import { useDialog } from "./useDialog";

export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  /** Preformatted text shown under the message (a deployment's summary of a change). */
  detail?: string;
}

export function ConfirmDialog({ request, onAnswer }: { request: Confirmation; onAnswer(ok: boolean): void }) {
  const dialog = useDialog<HTMLDivElement>(() => onAnswer(false));
  return (
    <div className="modal-backdrop">
      <div ref={dialog} tabIndex={-1} className="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-message">
        <h2 id="confirm-title">{request.title}</h2>
        <p id="confirm-message">{request.message}</p>
        {request.detail && (
          <pre className="confirm-detail" data-testid="confirm-detail">
            {request.detail}
          </pre>
        )}
        <div className="modal-actions">
          <button onClick={() => onAnswer(false)}>Cancel</button>
          <button data-autofocus className={request.danger ? "danger" : "primary"} onClick={() => onAnswer(true)}>
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
