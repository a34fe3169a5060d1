// A CodeMirror 6 editor for JSON, SQL or JavaScript text. Ctrl/Cmd+Enter runs (`onRun`);
// `mark` selects a position (a reported error's line and column), scrolls to it and marks
// it — the line tinted, the character underlined, the message on hover — until the next
// mark or until that line is edited (`errorMarker.ts`). `readOnly` shows text to read, opened
// scrolled to `highlightLine` (tinted), as the runner's Source view does.
import { closeCompletion } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { sql } from "@codemirror/lang-sql";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { Decoration, keymap } from "@codemirror/view";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useLayoutEffect, useRef } from "react";
import { codeHighlight } from "./codeHighlight";
import { errorMarker, setErrorMarker } from "./errorMarker";

export type CodeLanguage = "json" | "sql" | "javascript";

/** Tables and their columns, for SQL completion. */
export type SqlSchema = Record<string, string[]>;

const language = (name: CodeLanguage, schema?: SqlSchema) =>
  name === "json" ? json() : name === "sql" ? sql({ schema, upperCaseKeywords: true }) : javascript({ typescript: true });

export function CodeEditor({
  value,
  onChange,
  label,
  language: languageName,
  onRun,
  mark,
  schema,
  readOnly = false,
  highlightLine,
}: {
  value: string;
  onChange?(text: string): void;
  label: string;
  language: CodeLanguage;
  onRun?: () => void;
  /** 1-based line and column to select and mark (a new object each time it should move); null clears the marker. */
  mark?: { line: number; column: number; message?: string } | null;
  /** For SQL: the tables and columns to complete. */
  schema?: SqlSchema;
  /** Text to read, not edit. */
  readOnly?: boolean;
  /** 1-based line to tint and open scrolled to (read when the editor is created). */
  highlightLine?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const languageSlot = useRef(new Compartment());
  const latest = useRef({ onChange, onRun });
  useLayoutEffect(() => {
    latest.current = { onChange, onRun };
  });
  // The editor is created once, from the first props; later `value`s come from the editor
  // itself, and the effects below carry a value, language or schema set from outside.
  const first = useRef({ value, label, languageName, schema, readOnly, highlightLine });

  useEffect(() => {
    const { value, label, languageName, schema, readOnly, highlightLine } = first.current;
    const doc = EditorState.create({ doc: value }).doc;
    const highlighted = highlightLine && highlightLine <= doc.lines ? doc.line(highlightLine) : undefined;
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
        codeHighlight,
        errorMarker,
        languageSlot.current.of(language(languageName, schema)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onChange?.(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": label }),
        readOnly ? [EditorState.readOnly.of(true)] : [],
        highlighted
          ? EditorView.decorations.of(
              Decoration.set([Decoration.line({ class: "cm-highlight-line", attributes: { "data-testid": "editor-highlight-line" } }).range(highlighted.from)]),
            )
          : [],
      ],
    });
    if (highlighted) editor.dispatch({ effects: EditorView.scrollIntoView(highlighted.from, { y: "start", yMargin: 24 }) });
    view.current = editor;
    return () => editor.destroy();
  }, []);

  // A value set from outside (a history entry, a template) replaces the text.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  // New tables or columns: completion follows.
  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(language(languageName, schema)) });
  }, [languageName, schema]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    if (!mark) {
      editor.dispatch({ effects: setErrorMarker.of(null) });
      return;
    }
    const doc = editor.state.doc;
    const line = doc.line(Math.min(Math.max(mark.line, 1), doc.lines));
    const at = Math.min(line.from + Math.max(mark.column - 1, 0), line.to);
    editor.dispatch({ selection: { anchor: at }, scrollIntoView: true, effects: setErrorMarker.of({ line: line.from, at, message: mark.message ?? "" }) });
    editor.focus();
  }, [mark]);

  return <div className="json-editor code-editor" ref={host} />;
}
