// What an area that is not built yet shows: its purpose and plans, plainly, with no
// made-up data.
import type { Area } from "../../shell/areas";

export function NotBuiltYet({ area }: { area: Area }) {
  return (
    <section className="not-built" data-testid={`area-${area.id}`}>
      <p className="eyebrow">Not built yet</p>
      <h2>{area.purpose}</h2>
      <p className="muted">
        The {area.label} area is not available in this version of Atrium. When it arrives it will offer:
      </p>
      <ul className="plans">
        {area.plans.map((plan) => (
          <li key={plan}>{plan}</li>
        ))}
      </ul>
    </section>
  );
}
