// The sidebar: every area, the current one marked, each reachable by Alt+digit.
import { AREAS, type AreaId, shortcutDigit } from "./areas";
import { AreaIcon } from "./Icons";

export function Sidebar({ current, onSelect }: { current: AreaId; onSelect: (id: AreaId) => void }) {
  return (
    <nav className="sidebar" aria-label="Areas">
      <div className="brand">
        <img src="/favicon.svg" alt="" width="24" height="24" />
        <span>Atrium</span>
      </div>
      <ul>
        {AREAS.map((area, index) => {
          const key = shortcutDigit(index);
          return (
            <li key={area.id}>
              <a
                href={`#/${area.id}`}
                className={area.id === current ? "nav-item active" : "nav-item"}
                aria-current={area.id === current ? "page" : undefined}
                data-area={area.id}
                title={key ? `${area.label} (Alt+${key})` : area.label}
                onClick={(event) => {
                  event.preventDefault();
                  onSelect(area.id);
                }}
              >
                <AreaIcon id={area.id} />
                <span className="nav-label">{area.label}</span>
                {key && <kbd className="nav-key">{key}</kbd>}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
