// The runner's form for a function's arguments, one field per argument of its validator.
import { type ArgField, typeLabel } from "./argsForm";

interface ArgsFormProps {
  fields: ArgField[];
  texts: Record<string, string>;
  onTexts(texts: Record<string, string>): void;
  errors: Record<string, string>;
}

export function ArgsForm({ fields, texts, onTexts, errors }: ArgsFormProps) {
  return (
    <div className="args-form" role="group" aria-label="Arguments">
      {fields.length === 0 && <p className="muted">No arguments.</p>}
      {fields.map((field: ArgField) => (
        <label key={field.name} className="arg-field">
          <span className="arg-name">
            {field.name}
            {field.optional ? "?" : ""} <span className="muted">{typeLabel(field.validator)}</span>
          </span>
          {field.validator.type === "boolean" ? (
            <select aria-label={field.name} value={texts[field.name] ?? ""} onChange={(e) => onTexts({ ...texts, [field.name]: e.target.value })}>
              {field.optional && <option value="">(unset)</option>}
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              aria-label={field.name}
              value={texts[field.name] ?? ""}
              placeholder={field.validator.type === "bigint" ? "e.g. 12" : ["string", "id", "number"].includes(field.validator.type) ? "" : "JSON"}
              onChange={(e) => onTexts({ ...texts, [field.name]: e.target.value })}
            />
          )}
          {errors[field.name] && <span className="inline-error">{errors[field.name]}</span>}
        </label>
      ))}
    </div>
  );
}
