// The theme the document shows now (`data-theme` on <html>), following every change. For
// drawings that read the theme's colours once (canvas charts): the app sets the attribute
// in an effect that runs after its children's first effects, and again on every switch.
import { useSyncExternalStore } from "react";

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}

const current = () => document.documentElement.dataset.theme ?? "";

export function useDocumentTheme(): string {
  return useSyncExternalStore(subscribe, current, () => "");
}
