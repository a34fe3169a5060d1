// A CodeMirror 6 editor for JSON text (documents to add, a document to replace).
import { CodeEditor } from "./CodeEditor";

export function JsonEditor({ value, onChange, label }: { value: string; onChange(text: string): void; label: string }) {
  return <CodeEditor value={value} onChange={onChange} label={label} language="json" />;
}
