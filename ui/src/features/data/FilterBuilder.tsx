// The filter built clause by clause: field, operator, value, on or off; AND or OR.
import type { Filter, FilterOp } from "../../generated/studio";
import { OP_LABELS } from "./filterText";
import { parseInput } from "./values";

const OPS = Object.keys(OP_LABELS) as FilterOp[];

export function FilterBuilder({ filter, columns, onChange }: { filter: Filter; columns: string[]; onChange(f: Filter): void }) {
  const update = (i: number, patch: Partial<Filter["clauses"][number]>) =>
    onChange({ ...filter, clauses: filter.clauses.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  return (
    <div className="filter-builder" role="group" aria-label="Filter builder">
      <label>
        Match{" "}
        <select aria-label="Combine clauses with" value={filter.combinator} onChange={(e) => onChange({ ...filter, combinator: e.target.value as Filter["combinator"] })}>
          <option value="and">all clauses (AND)</option>
          <option value="or">any clause (OR)</option>
        </select>
      </label>
      {filter.clauses.map((clause, i) => (
        <div className="clause" key={i}>
          <input type="checkbox" aria-label={`Clause ${i + 1} enabled`} checked={clause.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
          <input list="filter-fields" aria-label={`Clause ${i + 1} field`} value={clause.field} onChange={(e) => update(i, { field: e.target.value })} />
          <select aria-label={`Clause ${i + 1} operator`} value={clause.op} onChange={(e) => update(i, { op: e.target.value as FilterOp })}>
            {OPS.map((op) => (
              <option key={op} value={op}>
                {OP_LABELS[op]}
              </option>
            ))}
          </select>
          <input
            aria-label={`Clause ${i + 1} value`}
            defaultValue={clause.op === "type" ? String(clause.value) : JSON.stringify(clause.value)}
            onBlur={(e) => update(i, { value: clause.op === "type" ? e.target.value : parseInput(e.target.value, false) })}
          />
          <button aria-label={`Remove clause ${i + 1}`} onClick={() => onChange({ ...filter, clauses: filter.clauses.filter((_, j) => j !== i) })}>
            ×
          </button>
        </div>
      ))}
      <datalist id="filter-fields">
        {columns.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <button onClick={() => onChange({ ...filter, clauses: [...filter.clauses, { field: columns[1] ?? "_id", op: "eq", value: "", enabled: true }] })}>+ Clause</button>
    </div>
  );
}
