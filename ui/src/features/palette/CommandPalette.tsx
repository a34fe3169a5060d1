// The command palette (Ctrl/Cmd+K): one search box over the areas, the current area's
// actions, the deployment's tables and functions, the saved deployments, and recent
// documents and queries. Fully keyboard driven: type to narrow (fuzzy), ↑/↓ (or Ctrl+P/N)
// to move, PageUp/PageDown to jump, Enter to choose, Escape to close. What the items are is
// paletteItems.ts; how they rank is fuzzy.ts.
import { useEffect, useMemo, useRef, useState } from "react";
import { useDialog } from "../../components/useDialog";
import { AREAS, type AreaId } from "../../shell/areas";
import { errorMessage } from "../../platform";
import { currentAreaActions } from "./areaActions";
import { rank, splitMatched } from "./fuzzy";
import { idleItems, type PaletteHandlers, type PaletteItem, paletteItems } from "./paletteItems";
import { usePaletteSources } from "./usePaletteSources";
import "./palette.css";

const PAGE = 8;

export function CommandPalette({
  current,
  deploymentId,
  connected,
  handlers,
  onClose,
}: {
  current: AreaId;
  deploymentId?: string;
  connected: boolean;
  handlers: PaletteHandlers;
  onClose(): void;
}) {
  const dialog = useDialog<HTMLDivElement>(onClose);
  const sources = usePaletteSources(deploymentId, connected);
  const [actions] = useState(currentAreaActions);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const list = useRef<HTMLUListElement>(null);

  const items = useMemo(() => paletteItems({ ...sources, areas: AREAS, current, actions }, handlers), [sources, current, actions, handlers]);
  const shown = useMemo(() => (query.trim() ? rank(items, query) : rank(idleItems(items), "", Infinity)), [items, query]);
  const index = Math.min(active, Math.max(shown.length - 1, 0));

  useEffect(() => {
    list.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: "nearest" });
  }, [index]);

  const choose = async (item: PaletteItem | undefined) => {
    if (!item || busy) return;
    setError(undefined);
    setBusy(item.key);
    try {
      await item.perform();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(undefined);
    }
  };

  const move = (by: number) => {
    if (!shown.length) return;
    const next = index + by;
    // Single steps wrap around; page steps stop at the ends.
    setActive(Math.abs(by) === 1 ? (next + shown.length) % shown.length : Math.max(0, Math.min(shown.length - 1, next)));
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const ctrl = event.ctrlKey && !event.metaKey && !event.altKey;
    if (event.key === "ArrowDown" || (ctrl && event.key === "n")) move(1);
    else if (event.key === "ArrowUp" || (ctrl && event.key === "p")) move(-1);
    else if (event.key === "PageDown") move(PAGE);
    else if (event.key === "PageUp") move(-PAGE);
    else if (event.key === "Enter") void choose(shown[index]?.item);
    else return;
    event.preventDefault();
  };

  const activeId = shown[index] ? `palette-item-${index}` : undefined;
  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={dialog} className="modal palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette" onKeyDown={onKeyDown}>
        <input
          className="palette-input"
          data-autofocus
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={activeId}
          aria-label="Search areas, tables, functions, deployments and actions"
          placeholder="Go to an area, table, function, deployment, recent document or query…"
          value={query}
          spellCheck={false}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
        />
        {error && (
          <div className="inline-error" role="alert" data-testid="palette-error">
            {error}
          </div>
        )}
        <ul id="palette-list" ref={list} className="palette-list" role="listbox" aria-label="Results">
          {shown.map(({ item, matched }, i) => {
            const header = !query.trim() && item.group !== shown[i - 1]?.item.group;
            return (
              <li key={item.key} role="presentation">
                {header && <div className="palette-group">{item.group}</div>}
                <div
                  id={`palette-item-${i}`}
                  data-index={i}
                  data-key={item.key}
                  role="option"
                  aria-selected={i === index}
                  className={i === index ? "palette-item active" : "palette-item"}
                  onMouseMove={() => i !== index && setActive(i)}
                  onClick={() => void choose(item)}
                >
                  <span className="palette-label">
                    {splitMatched(item.label, matched).map((part, n) => (part.hit ? <mark key={n}>{part.text}</mark> : <span key={n}>{part.text}</span>))}
                  </span>
                  {item.hint && <span className="palette-hint">{item.hint}</span>}
                  {query.trim() && <span className="palette-kind">{item.group}</span>}
                  {busy === item.key && <span className="palette-kind">…</span>}
                </div>
              </li>
            );
          })}
        </ul>
        {shown.length === 0 && (
          <p className="palette-empty muted" role="status">
            {sources.loading ? "Loading…" : `Nothing matches “${query}”.`}
          </p>
        )}
        <div className="palette-footer muted">
          <span>
            <kbd>↑</kbd>
            <kbd>↓</kbd> move
          </span>
          <span>
            <kbd>Enter</kbd> choose
          </span>
          <span>
            <kbd>Esc</kbd> close
          </span>
        </div>
      </div>
    </div>
  );
}
