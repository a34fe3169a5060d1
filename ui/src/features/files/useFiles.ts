// The Files area's state: the stored files newest first (read again two seconds after each
// answer while the area is open, so files the app uploads appear: usePolling), the uploads under way
// with their progress (each posted straight to a fresh upload URL so the browser reports
// progress), and deleting. All of one component instance (`component`, its path; "" for the
// app): each stores its own files.
import { useCallback, useState } from "react";
import type { FileView } from "../../generated/studio";
import { usePolling } from "../../lib/usePolling";
import { call, errorMessage } from "../../platform";

const REFRESH_MS = 2000;
/** How many files the area lists (newest first). */
const SHOWN = 500;

export interface Upload {
  key: string;
  name: string;
  size: number;
  loaded: number;
  state: "uploading" | "done" | "failed";
  error?: string;
  id?: string;
}

/** Posts `file` to `url`, reporting progress; the storage ID. */
function post(url: string, file: File, onProgress: (loaded: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (file.type) xhr.setRequestHeader("Content-Type", file.type);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((JSON.parse(xhr.responseText) as { storageId: string }).storageId);
        } catch {
          reject(new Error(`unexpected upload answer: ${xhr.responseText}`));
        }
      } else reject(new Error(`the upload was refused (${xhr.status}): ${xhr.responseText}`));
    };
    xhr.onerror = () => reject(new Error("the deployment could not be reached"));
    xhr.send(file);
  });
}

export function useFiles(connected: boolean, deploymentId: string | undefined, component: string) {
  const scope = component || null;
  const key = connected ? JSON.stringify([deploymentId ?? "", component]) : null;
  const list = usePolling(key, () => call("files_list", { cursor: null, limit: SHOWN, component: scope }), REFRESH_MS);
  const { reload } = list;
  const [actionError, setActionError] = useState<string>();
  const [uploads, setUploads] = useState<Upload[]>([]);

  const update = (key: string, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const upload = useCallback(async (files: File[], confirmed: boolean) => {
    const started = files.map((f, i) => ({ key: `${Date.now()}-${i}-${f.name}`, name: f.name, size: f.size, loaded: 0, state: "uploading" as const }));
    setUploads((all) => [...started, ...all.filter((u) => u.state === "uploading")]);
    await Promise.all(
      files.map(async (file, i) => {
        const key = started[i]?.key ?? file.name;
        try {
          const url = await call("files_upload_url", { confirmed, component: scope });
          const id = await post(url, file, (loaded) => update(key, { loaded }));
          update(key, { state: "done", loaded: file.size, id });
        } catch (e) {
          update(key, { state: "failed", error: errorMessage(e) });
        }
      }),
    );
    reload();
  }, [reload, scope]);

  const remove = useCallback(async (files: FileView[], confirmed: boolean) => {
    try {
      await call("files_delete", { ids: files.map((f) => f.id), confirmed, component: scope });
      setActionError(undefined);
    } catch (e) {
      setActionError(errorMessage(e));
    }
    reload();
  }, [reload, scope]);

  return { page: list.value, error: actionError ?? list.error, uploads, upload, remove, clearUploads: () => setUploads((all) => all.filter((u) => u.state === "uploading")) };
}
