// The chosen table's entry in the deployment's schema, and the starting document the
// add dialog offers from it.
import type { TableSchemaInfo } from "../../generated/studio";
import type { Json, Validator } from "./values";

export interface DeclaredTable {
  tableName: string;
  documentType?: Validator | null;
}

/** The table's entry in the schema text, if the schema declares it. */
export function declaredTable(schema: TableSchemaInfo | undefined, table: string | undefined): DeclaredTable | undefined {
  if (!schema?.schema_text || !table) return undefined;
  try {
    const parsed = JSON.parse(schema.schema_text) as { tables?: DeclaredTable[] };
    return parsed.tables?.find((t) => t.tableName === table);
  } catch {
    return undefined;
  }
}

/** A starting document for the add dialog: the schema's fields with empty values. */
export function documentTemplate(documentType: Validator | undefined): string {
  if (documentType?.type !== "object") return "{\n  \n}";
  const fields = documentType.value as Record<string, { fieldType: Validator; optional: boolean }>;
  const example = (v: Validator): Json => {
    switch (v.type) {
      case "string":
        return "";
      case "number":
        return 0;
      case "boolean":
        return false;
      case "array":
        return [];
      case "object":
        return {};
      default:
        return null;
    }
  };
  const doc = Object.fromEntries(Object.entries(fields).filter(([, f]) => !f.optional).map(([k, f]) => [k, example(f.fieldType)]));
  return JSON.stringify(doc, null, 2);
}
