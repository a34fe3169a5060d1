// A notice line: a routine one ("Added 1 document.") fades after a few seconds; one that
// must be read (an error, a path) stays until closed.
import { useCallback, useEffect, useState } from "react";

export const FADE_MS = 5000;

export type Notify = (text: string | undefined, options?: { stay?: boolean }) => void;

export function useNotice(): [string | undefined, Notify] {
  const [notice, setNotice] = useState<{ text: string; stay: boolean }>();
  useEffect(() => {
    if (!notice || notice.stay) return;
    const timer = setTimeout(() => setNotice((n) => (n === notice ? undefined : n)), FADE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  const notify = useCallback<Notify>((text, options) => setNotice(text === undefined ? undefined : { text, stay: options?.stay ?? false }), []);
  return [notice?.text, notify];
}
