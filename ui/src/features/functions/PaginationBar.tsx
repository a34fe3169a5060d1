// The runner's pagination helper for a paginated query: a page size, "First page" and
// "Next page" (with the cursor the last result gave), and where the pages stand.
import { useState } from "react";
import type { RunResult } from "../../generated/studio";
import type { Json } from "../data/values";
import { type PageOpts, pageOf } from "./pagination";

export function PaginationBar({ result, running, onPage }: { result?: RunResult; running: boolean; onPage(opts: PageOpts): void }) {
  const [numItems, setNumItems] = useState(10);
  // The page asked for last, and the result shown when it was asked (its answer is the next one).
  const [asked, setAsked] = useState<{ number: number; before?: RunResult }>({ number: 0 });
  const answered = asked.number > 0 && result !== asked.before;
  const pageNumber = answered ? asked.number : 0;
  const page = answered && result?.ok ? pageOf(result.value as Json) : null;
  return (
    <div className="run-bar pagination-bar" data-testid="pagination">
      <label>
        Page size{" "}
        <input type="number" min={1} value={numItems} onChange={(e) => setNumItems(Math.max(1, Number(e.target.value) || 1))} style={{ width: "5em" }} />
      </label>
      <button
        disabled={running}
        onClick={() => {
          setAsked({ number: 1, before: result });
          onPage({ numItems, cursor: null });
        }}
      >
        First page
      </button>
      <button
        disabled={running || !page || page.isDone}
        onClick={() => {
          setAsked({ number: pageNumber + 1, before: result });
          onPage({ numItems, cursor: page!.next });
        }}
      >
        Next page
      </button>
      {page && pageNumber > 0 && (
        <span className="muted" data-testid="page-status">
          Page {pageNumber}: {page.count} item{page.count === 1 ? "" : "s"}
          {page.isDone ? " · the last page" : ""}
        </span>
      )}
    </div>
  );
}
