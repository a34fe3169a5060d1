// What every dialog does with the keyboard: focus moves into it when it opens (to its
// `autofocus` control, or else its first control), Escape closes it (only the topmost one
// when dialogs are stacked), and focus returns to where it was when it closes.
import { useEffect, useEffectEvent, useRef } from "react";

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [contenteditable="true"], button:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The open dialogs, innermost last: Escape closes only the last. */
const open: symbol[] = [];

/** Returns the ref to put on the dialog's element. */
export function useDialog<T extends HTMLElement>(onClose: () => void) {
  const ref = useRef<T>(null);
  const close = useEffectEvent(onClose);
  useEffect(() => {
    const me = Symbol("dialog");
    open.push(me);
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = ref.current;
    if (node && !node.contains(document.activeElement)) {
      const target = node.querySelector<HTMLElement>("[autofocus], [data-autofocus]") ?? node.querySelector<HTMLElement>(FOCUSABLE);
      (target ?? node).focus();
    }
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || open.at(-1) !== me) return;
      event.preventDefault();
      event.stopPropagation();
      close();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      open.splice(open.indexOf(me), 1);
      // Back to the control that opened it, if it is still there and nothing else took focus.
      if (before?.isConnected && (!document.activeElement || document.activeElement === document.body || node?.contains(document.activeElement))) before.focus();
    };
  }, []);
  return ref;
}
