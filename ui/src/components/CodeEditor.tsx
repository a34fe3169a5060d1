// A CodeMirror 6 editor for JSON, SQL or JavaScript text. Ctrl/Cmd+Enter runs (`onRun`);
// `mark` selects a position (a reported error's line and column) and scrolls to it.
import { closeCompletion } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { sql } from "@codemirror/lang-sql";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

export type CodeLanguage = "json" | "sql" | "javascript";

const LANGUAGES = { json: () => json(), sql: () => sql(), javascript: () => javascript({ typescript: true }) };

export function CodeEditor({
  value,
  onChange,
  label,
  language,
  onRun,
  mark,
}: {
  value: string;
  onChange(text: string): void;
  label: string;
  language: CodeLanguage;
  onRun?: () => void;
  /** 1-based line and column to select (a new object each time it should move). */
  mark?: { line: number; column: number };
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    const editor = new EditorView({
      doc: value,
      parent: host.current!,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: (target) => {
                if (!latest.current.onRun) return false;
                closeCompletion(target);
                latest.current.onRun();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        LANGUAGES[language](),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    });
    view.current = editor;
    return () => editor.destroy();
    // Created once; later `value`s come from the editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (a history entry, a template) replaces the text.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || !mark) return;
    const doc = editor.state.doc;
    const line = doc.line(Math.min(Math.max(mark.line, 1), doc.lines));
    const at = Math.min(line.from + Math.max(mark.column - 1, 0), line.to);
    editor.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    editor.focus();
  }, [mark]);

  return <div className="json-editor code-editor" ref={host} />;
}
