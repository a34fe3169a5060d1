// A question put to the user in a dialog, awaited as a promise: `ask(request)` shows it,
// `answer(value)` (the dialog's callback) settles the promise and closes it.
import { useCallback, useState } from "react";

export interface Question<Request, Answer> {
  /** Shows the question; settles with the user's answer. */
  ask(request: Request): Promise<Answer>;
  /** The question shown, if any (render its dialog when set). */
  pending?: Request;
  /** Settles the shown question and closes it. */
  answer(value: Answer): void;
}

export function useQuestion<Request, Answer>(): Question<Request, Answer> {
  const [open, setOpen] = useState<{ request: Request; resolve(value: Answer): void }>();
  const ask = useCallback((request: Request) => new Promise<Answer>((resolve) => setOpen({ request, resolve })), []);
  const answer = useCallback(
    (value: Answer) => {
      open?.resolve(value);
      setOpen(undefined);
    },
    [open],
  );
  return { ask, pending: open?.request, answer };
}
