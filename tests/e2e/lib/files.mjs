// File storage on disk: the blob files of an engine's data folder.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Every blob file in a data folder's store (not its temporary folder). */
export function blobFiles(data) {
  const root = join(data, "deployment.files");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => d !== "tmp")
    .flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
}

/** Files left in the store's temporary folder (uploads that never finished). */
export function tempFiles(data) {
  const tmp = join(data, "deployment.files/tmp");
  return existsSync(tmp) ? readdirSync(tmp) : [];
}
