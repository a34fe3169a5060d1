// Atrium's module hooks for the Node.js executor (registered with `module.register`): the
// project's own modules come from the host, types already stripped (`sources`: absolute
// path → JavaScript), and their extensionless relative imports resolve as Convex's bundler
// resolves them (`./_generated/server` → `server.ts`). Everything else (node_modules, Node
// built-ins) is Node's own resolution.
import { fileURLToPath, pathToFileURL } from "node:url";

let sources = new Map();

export async function initialize(data) {
  sources = new Map(Object.entries(data.sources));
}

const EXTENSIONS = [".ts", ".tsx", ".js", ".mjs", ".jsx"];

const candidates = (path) => {
  const list = [path, ...EXTENSIONS.map((e) => path + e), ...EXTENSIONS.map((e) => `${path}/index${e}`)];
  if (path.endsWith(".js")) list.push(`${path.slice(0, -3)}.ts`, `${path.slice(0, -3)}.tsx`);
  return list;
};

export async function resolve(specifier, context, next) {
  const relative = specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/");
  if (relative && context.parentURL?.startsWith("file:")) {
    const path = fileURLToPath(new URL(specifier, context.parentURL));
    const found = candidates(path).find((c) => sources.has(c));
    if (found !== undefined) return { url: pathToFileURL(found).href, format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith("file:")) {
    const path = fileURLToPath(url);
    if (sources.has(path)) return { format: "module", source: sources.get(path), shortCircuit: true };
  }
  return next(url, context);
}
