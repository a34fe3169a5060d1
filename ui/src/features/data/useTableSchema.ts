// The chosen table's schema and indexes, read again when the table or deployment changes
// (an answer for a table no longer shown is dropped), and its declared entry, parsed here
// (not in Rust) so the fields keep the order the schema declares them in.
import { useEffect, useMemo, useState } from "react";
import type { TableSchemaInfo } from "../../generated/studio";
import { useLatestCall } from "../../lib/useLatestCall";
import { call } from "../../platform";
import { type DeclaredTable, declaredTable } from "./schema";

export function useTableSchema(table: string | undefined, connected: boolean, deploymentId: string | undefined) {
  const [schema, setSchema] = useState<TableSchemaInfo>();
  const latest = useLatestCall();
  useEffect(() => {
    if (!table || !connected) return;
    setSchema(undefined);
    void latest.run(call("data_schema", { table, confirmed: false }), setSchema, () => setSchema(undefined));
    return latest.drop;
  }, [table, connected, deploymentId, latest]);
  const declared: DeclaredTable | undefined = useMemo(() => declaredTable(schema, table), [schema, table]);
  return { schema, declared, documentType: declared?.documentType ?? undefined };
}
