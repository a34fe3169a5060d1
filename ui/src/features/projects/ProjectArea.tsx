// The Project area: local Convex projects on Atrium's own engine — create one from a
// template or open a folder, start and stop each (several at once, each on its own
// ports), connect to one, and point the official CLI and the app at it (the two variables
// go to the project's .env.local; the admin key never comes to this window). A running
// project lists the components its code installs, with their npm versions.
import { useEffect, useState } from "react";
import type { ProjectInfo, Template } from "../../generated/studio";
import { formatBytes } from "../../components/formatBytes";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { ProjectTools } from "./ProjectTools";
import { PromoteDialog } from "../promote/PromoteDialog";
import { useAreaActions } from "../palette/areaActions";


export function ProjectArea() {
  const [projects, setProjects] = useState<ProjectInfo[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [name, setName] = useState("");
  const [template, setTemplate] = useState<Template>("sample");
  const [folder, setFolder] = useState("");
  const [openDir, setOpenDir] = useState("");
  const [open, setOpen] = useState<string>();
  const [promoting, setPromoting] = useState<ProjectInfo>();

  useEffect(() => {
    call("project_list")
      .then(setProjects)
      .catch((e) => setError(errorMessage(e)));
    // Reloads after changes on disk (and their errors) arrive by themselves.
    return onStudioEvent((event) => event.type === "projects_changed" && setProjects(event.projects));
  }, []);

  // The palette offers "Promote…" for each running project.
  useAreaActions(
    projects
      .filter((p) => !p.built_in && p.state === "running")
      .map((p) => ({ id: `project.promote.${p.id}`, label: `Promote ${p.name}…`, keywords: "deploy push copy", run: () => setPromoting(p) })),
  );

  /** Runs one action at a time; whether it succeeded. */
  const act = async (label: string, work: () => Promise<ProjectInfo[] | void>, done?: string): Promise<boolean> => {
    setBusy(label);
    setError(undefined);
    setNotice(undefined);
    try {
      const list = await work();
      if (list) setProjects(list);
      if (done) setNotice(done);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      void call("project_list").then(setProjects).catch(() => {});
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="project-area" data-testid="area-project">
      <div className="project-forms">
        <form
          className="project-form"
          aria-label="Create a project"
          onSubmit={(e) => {
            e.preventDefault();
            void act("create", () => call("project_create", { name, template, dir: folder }), `Created ${name}.`).then((ok) => {
              if (!ok) return;
              setName("");
              setFolder("");
            });
          }}
        >
          <h3>New project</h3>
          <label>
            Name <input aria-label="Project name" value={name} onChange={(e) => setName(e.target.value)} placeholder="my-app" required />
          </label>
          <label>
            Template
            <select aria-label="Template" value={template} onChange={(e) => setTemplate(e.target.value as Template)}>
              <option value="sample">Sample (tasks, projects, notes, with data)</option>
              <option value="empty">Empty (one table, one query)</option>
            </select>
          </label>
          <label>
            Folder <input aria-label="Project folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="~/AtriumProjects/<name>" />
          </label>
          <button className="primary" disabled={!name.trim() || busy !== undefined}>
            Create
          </button>
        </form>
        <form
          className="project-form"
          aria-label="Open a project"
          onSubmit={(e) => {
            e.preventDefault();
            void act("open", () => call("project_open", { dir: openDir }), `Added ${openDir}.`).then((ok) => ok && setOpenDir(""));
          }}
        >
          <h3>Open a folder</h3>
          <label>
            Folder <input aria-label="Folder to open" value={openDir} onChange={(e) => setOpenDir(e.target.value)} placeholder="/path/to/your/app (holds convex/)" required />
          </label>
          <button disabled={!openDir.trim() || busy !== undefined}>Open</button>
        </form>
      </div>
      {error && (
        <div className="inline-error" role="alert" data-testid="project-error">
          {error}
        </div>
      )}
      {notice && (
        <div className="notice" role="status">
          {notice}
        </div>
      )}
      <table className="metrics-table projects-table" aria-label="Projects">
        <thead>
          <tr>
            <th>Project</th>
            <th>State</th>
            <th>Data</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {projects.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No projects yet: create one from a template, or open a folder with a convex/ folder in it.
              </td>
            </tr>
          )}
          {projects.map((p) => (
            <tr key={p.id} data-project={p.name}>
              <td>
                <strong>{p.name}</strong>
                {p.built_in && <span className="deployment-kind" title="Atrium runs it while it runs">built in</span>}
                <div className="muted mono">{p.dir}</div>
                {p.url && (
                  <div className="cli-env" data-testid="cli-env">
                    <code>CONVEX_SELF_HOSTED_URL={p.url}</code>
                    <button className="link-button" onClick={() => void navigator.clipboard?.writeText(`CONVEX_SELF_HOSTED_URL=${p.url}`).catch(() => {})}>
                      Copy
                    </button>
                  </div>
                )}
                {p.error && <div className="error-text">{p.error}</div>}
                {p.components.length > 0 && (
                  <details className="project-components" data-testid="project-components">
                    <summary>
                      {p.components.length} component{p.components.length === 1 ? "" : "s"} installed
                    </summary>
                    <ul>
                      {p.components.map((c) => (
                        <li key={c.path}>
                          <code>{c.path}</code> <span className="muted">{c.package ? `${c.package} ${c.version ?? ""}` : "local component"}</span>
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
                {p.backfill && (
                  <div className="muted" role="status" data-testid="backfill">
                    Filling a new index: {p.backfill}
                  </div>
                )}
                {p.reload_error && (
                  <div className="error-text reload-error" data-testid="reload-error">
                    {p.reload_error}
                    <div className="muted">The previous version keeps serving until this loads.</div>
                  </div>
                )}
                {p.module_errors.length > 0 && (
                  <div className="error-text module-errors" data-testid="module-errors">
                    {p.module_errors.map((message) => (
                      <div key={message}>{message}</div>
                    ))}
                    <div className="muted">These modules' functions are unavailable; the others serve.</div>
                  </div>
                )}
                {open === p.id && <ProjectTools project={p} onChanged={setProjects} />}
                {p.state === "running" && !p.reload_error && p.reloads > 0 && (
                  <div className="muted" data-testid="reloads">
                    Reloaded {p.reloads} time{p.reloads === 1 ? "" : "s"} after changes on disk
                  </div>
                )}
              </td>
              <td data-testid="project-state">{p.state === "running" ? "Running" : p.state === "failed" ? "Failed" : "Stopped"}</td>
              <td className="num">{formatBytes(p.data_bytes)}</td>
              <td>
                <div className="project-actions">
                {p.built_in ? null : p.state === "running" ? (
                  <button disabled={busy !== undefined} onClick={() => void act(`stop ${p.id}`, () => call("project_stop", { id: p.id }))}>
                    Stop
                  </button>
                ) : (
                  <button disabled={busy !== undefined} onClick={() => void act(`start ${p.id}`, () => call("project_start", { id: p.id }))}>
                    {busy === `start ${p.id}` ? "Starting…" : "Start"}
                  </button>
                )}
                <button
                  className="primary"
                  disabled={busy !== undefined}
                  onClick={() =>
                    void act(`connect ${p.id}`, async () => {
                      // The sample project is a saved connection of its own (same ID).
                      await (p.built_in ? call("connect", { id: p.id }) : call("project_connect", { id: p.id }));
                      location.hash = "#/data";
                    })
                  }
                >
                  Open in Data
                </button>
                {!p.built_in && (
                <button
                  disabled={p.state !== "running" || busy !== undefined}
                  title="Write CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY into the project's .env.local, for `npx convex dev` and your app"
                  onClick={() =>
                    void act(`env ${p.id}`, async () => {
                      const written = await call("project_write_env", { id: p.id });
                      setNotice(`Wrote CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY to ${written.path}: run npx convex dev there.`);
                    })
                  }
                >
                  Write .env.local
                </button>
                )}
                {!p.built_in && (
                  <>
                    <button
                      disabled={p.state !== "running" || busy !== undefined}
                      title="Push this project's code (and optionally its data) to another saved deployment"
                      onClick={() => setPromoting(p)}
                    >
                      Promote…
                    </button>
                    <button aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? undefined : p.id)}>
                      Data &amp; settings
                    </button>
                    <button disabled={busy !== undefined} onClick={() => void act(`remove ${p.id}`, () => call("project_remove", { id: p.id }), `Removed ${p.name} from the list (its folder stays).`)}>
                      Remove
                    </button>
                  </>
                )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {promoting && <PromoteDialog project={promoting} onClose={() => setPromoting(undefined)} />}
    </section>
  );
}
