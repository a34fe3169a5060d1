// The sidebar: every area, the current one marked, each reachable by Alt+digit.
import { AREAS, type AreaId } from "./areas";
import { AreaIcon } from "./Icons";

export function Sidebar({ current, onSelect }: { current: AreaId; onSelect: (id: AreaId) => void }) {
  return (
    <nav className="sidebar" aria-label="Areas">
      <div className="brand">
        <img src="/favicon.svg" alt="" width="24" height="24" />
        <span>Atrium</span>
      </div>
      <ul>
        {AREAS.map((area, index) => (
          <li key={area.id}>
            <a
              href={`#/${area.id}`}
              className={area.id === current ? "nav-item active" : "nav-item"}
              aria-current={area.id === current ? "page" : undefined}
              data-area={area.id}
              title={`${area.label} (Alt+${index + 1})`}
              onClick={(event) => {
                event.preventDefault();
                onSelect(area.id);
              }}
            >
              <AreaIcon id={area.id} />
              <span className="nav-label">{area.label}</span>
              <kbd className="nav-key">{index + 1}</kbd>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
