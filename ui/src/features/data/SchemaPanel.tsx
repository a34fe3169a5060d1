// The table's schema beside the grid: the declared document type (in Convex's validator
// syntax, optional fields in v.optional), the fields and types
// seen in the loaded rows, and the indexes (search indexes with their search and filter
// fields) with their backfill state.
import type { TableSchemaInfo } from "../../generated/studio";
import type { DeclaredTable } from "./schema";
import { validatorSyntax } from "./validatorSyntax";
import { type Doc, typeOf } from "./values";

export function SchemaPanel({ schema, declared, rows }: { schema?: TableSchemaInfo; declared?: DeclaredTable; rows: Doc[] }) {
  const inferred = new Map<string, Set<string>>();
  for (const row of rows) for (const [k, v] of Object.entries(row)) inferred.set(k, (inferred.get(k) ?? new Set()).add(typeOf(v)));
  return (
    <div className="schema-panel" data-testid="schema-panel">
      <div>
        <h3>Declared</h3>
        {declared ? (
          <pre className="validator-syntax" data-testid="declared-schema">
            {declared.documentType ? validatorSyntax(declared.documentType) : "v.any()"}
          </pre>
        ) : (
          <p className="muted">The schema does not declare this table.</p>
        )}
        <p className="muted">Schema validation {schema?.schema_validation ? "on" : "off"}.</p>
      </div>
      <div>
        <h3>Inferred from loaded rows</h3>
        <ul>
          {[...inferred].map(([field, types]) => (
            <li key={field}>
              <code>{field}</code>: {[...types].join(" | ")}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3>Indexes</h3>
        <ul>
          {schema?.indexes.map((index) => (
            <li key={index.name} data-testid={index.search_field ? "search-index" : undefined}>
              <code>{index.name}</code>{" "}
              {index.search_field ? (
                <>
                  search <code>{index.search_field}</code>
                  {index.filter_fields.length > 0 && <> · filters [{index.filter_fields.join(", ")}]</>}
                </>
              ) : (
                <>[{index.fields.join(", ")}]</>
              )}{" "}
              <span className={index.backfill === "done" ? "tone-ok" : "tone-warn"}>{index.backfill === "done" ? "ready" : index.backfill}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
