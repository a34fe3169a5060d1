// A CodeMirror 6 editor for JSON text (documents to add, a document to replace).
import { json } from "@codemirror/lang-json";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

export function JsonEditor({ value, onChange, label }: { value: string; onChange(text: string): void; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef(onChange);
  latest.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      doc: value,
      parent: host.current!,
      extensions: [
        basicSetup,
        json(),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    });
    view.current = editor;
    return () => editor.destroy();
    // Created once; later `value`s come from the editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return <div className="json-editor" ref={host} />;
}
