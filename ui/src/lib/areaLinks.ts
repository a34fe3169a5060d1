// Links into areas that other areas share: the Functions area opened on one function
// (`#/functions/<module:fn>`, as FunctionsArea reads it back).
export function functionsLink(fn: string): string {
  return `#/functions/${encodeURIComponent(fn)}`;
}
