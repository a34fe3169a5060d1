// Fuzzing the filter text parser (it runs in the UI, so libFuzzer cannot reach it): texts
// made of the grammar's tokens and of mutated valid filters, from a seeded generator so a
// failure reproduces. For every text, parsing either fails with a FilterSyntaxError or
// gives a filter that prints to text which parses back to the same filter.
// ATRIUM_FUZZ_RUNS sets how many texts (default 20,000).
import { describe, expect, it } from "vitest";
import { FilterSyntaxError, filterToText, parseFilterText } from "./filterText";

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "a", "n", "address.city", "_id", "$x", "x_1",
  "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "contains", "~", "=", "!", "&",
  "1", "-2.5", "1e999", "-1e-999", "12n", "-9223372036854775808n", "9223372036854775807n", "99999999999999999999n",
  '"ann"', '"a \\" b"', '"and or"', '"', "[", "]", '["a", 1]', "[[1], {}]", "{}", "null", "true", "unset", "string",
  "and", "or", "AND", "Or", "&&", "||", "\\", "\u00e9", "\u{1F600}", "\n", "\t",
];
const SEEDS = [
  'author == "ann" and n > 3 and n <= 10n',
  'tag in ["a", "b"] or tag not in ["c"] or x is unset',
  'body contains "hi and bye" && body ~ "^m[0-9]"',
  "k != null || a >= 1 || b < 2.5",
];

function tokenText(next: () => number): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(next() * 12);
  for (let i = 0; i < count; i++) {
    parts.push(TOKENS[Math.floor(next() * TOKENS.length)] ?? "");
    if (next() < 0.8) parts.push(" ");
  }
  return parts.join("");
}

function mutated(next: () => number): string {
  let text = SEEDS[Math.floor(next() * SEEDS.length)] ?? "";
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (text.length + 1));
    const choice = next();
    if (choice < 0.4) text = text.slice(0, at) + text.slice(at + 1);
    else if (choice < 0.8) text = text.slice(0, at) + (TOKENS[Math.floor(next() * TOKENS.length)] ?? "") + text.slice(at);
    else text = text.slice(0, at) + String.fromCharCode(32 + Math.floor(next() * 95)) + text.slice(at);
  }
  return text;
}

const RUNS = Number(globalThis.process?.env?.ATRIUM_FUZZ_RUNS ?? 20_000);

describe("filter text, fuzzed", () => {
  // Long runs (ATRIUM_FUZZ_RUNS) take a while: no per-test time limit to speak of.
  it("fails with a syntax error or round-trips", { timeout: 3_600_000 }, () => {
    const next = random(26);
    for (let run = 0; run < RUNS; run++) {
      const text = run % 2 === 0 ? tokenText(next) : mutated(next);
      let filter;
      try {
        filter = parseFilterText(text);
      } catch (e) {
        if (!(e instanceof FilterSyntaxError)) throw new Error(`${JSON.stringify(text)} threw ${String(e)}`, { cause: e });
        continue;
      }
      const printed = filterToText(filter);
      let again;
      try {
        again = parseFilterText(printed);
      } catch (e) {
        throw new Error(`${JSON.stringify(text)} printed as ${JSON.stringify(printed)}, which does not parse: ${String(e)}`, { cause: e });
      }
      expect(again, `${JSON.stringify(text)} printed as ${JSON.stringify(printed)}`).toEqual(filter);
    }
  });
});
