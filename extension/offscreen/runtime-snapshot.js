// @ts-check
// A memory snapshot of the freshly started Python runtime, made once per install and Pyodide
// version and kept in this extension's own IndexedDB (issue 16). Restoring it skips Python's
// start-up: measured 0.2-0.4 s instead of 1.2-2.5 s for loadPyodide().
//
// Pyodide 314.0.7 can only snapshot a runtime that has loaded no package yet ("Unexpected hiwire
// entry" once a package is loaded, pyodide/pyodide#5195 and #6418; binary extensions such as
// pydantic-core cannot be restored, #5610): so the snapshot holds the bare runtime and the
// packages load after it. It is made in a worker, from an instance nothing else used, and
// per install, so each install has its own string-hash secret. The snapshot is mostly zeros:
// only non-zero pages are stored. The standard-library modules the core imported in this
// session are imported into the snapshot too (they are pure Python or built in), so the next start
// neither reads nor runs them.

const DB_NAME = "mettri-runtime";
const STORE = "snapshots";
const PAGE = 4096;

/** @typedef {{ key: string, size: number, pages: Uint32Array, data: Blob }} StoredSnapshot */

/** @returns {Promise<IDBDatabase>} */
function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * @template T
 * @param {"readonly" | "readwrite"} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T> | void} fn
 * @returns {Promise<T | undefined>}
 */
async function withStore(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Only the pages that hold something: a 30 MB heap keeps about 14 MB.
 * @param {Uint8Array<ArrayBuffer>} snapshot
 * @param {string} key
 * @returns {StoredSnapshot}
 */
export function encode(snapshot, key) {
  const words = new Uint32Array(snapshot.buffer, snapshot.byteOffset, Math.floor(snapshot.byteLength / 4));
  const pages = [];
  const perPage = PAGE / 4;
  for (let p = 0; p * PAGE < snapshot.byteLength; p++) {
    const end = Math.min(words.length, (p + 1) * perPage);
    let used = (p + 1) * PAGE > words.length * 4; // a ragged tail is always kept
    for (let i = p * perPage; !used && i < end; i++) used = words[i] !== 0;
    if (used) pages.push(p);
  }
  const parts = pages.map((p) => snapshot.subarray(p * PAGE, Math.min(snapshot.byteLength, (p + 1) * PAGE)));
  return { key, size: snapshot.byteLength, pages: Uint32Array.from(pages), data: new Blob(parts) };
}

/**
 * @param {StoredSnapshot} stored
 * @returns {Promise<Uint8Array>}
 */
export async function decode(stored) {
  const data = new Uint8Array(await stored.data.arrayBuffer());
  const out = new Uint8Array(stored.size);
  let at = 0;
  for (const p of stored.pages) {
    const len = Math.min(PAGE, stored.size - p * PAGE);
    out.set(data.subarray(at, at + len), p * PAGE);
    at += len;
  }
  if (at !== data.byteLength) throw new Error("runtime snapshot: stored pages do not add up");
  return out;
}

/**
 * Whether a snapshot is stored for this runtime (a key lookup: no bytes read).
 * @param {string} key
 * @returns {Promise<boolean>}
 */
export async function hasSnapshot(key) {
  return (await withStore("readonly", (s) => s.getKey(key))) !== undefined;
}

/**
 * The stored snapshot for this runtime, or null.
 * @param {string} key
 * @returns {Promise<Uint8Array | null>}
 */
export async function loadSnapshot(key) {
  /** @type {StoredSnapshot | undefined} */
  const stored = await withStore("readonly", (s) => s.get(key));
  return stored ? decode(stored) : null;
}

/**
 * Keep only this snapshot (an update of the runtime leaves the old one useless).
 * @param {StoredSnapshot} stored
 */
export async function saveSnapshot(stored) {
  await withStore("readwrite", (s) => {
    s.clear();
    s.put(stored);
  });
}

export async function dropSnapshots() {
  await withStore("readwrite", (s) => s.clear());
}

// Python: the standard-library modules loaded now (no package's, no JS bridge's, no binary one).
export const STDLIB_LOADED = `
import json, sys
def _mettri_stdlib():
    skip = ("js", "pyodide", "_pyodide", "pyodide_js", "__main__")
    for name, mod in list(sys.modules.items()):
        where = getattr(mod, "__file__", None) or ""
        if name.split(".")[0] not in skip and "site-packages" not in where and not where.endswith(".so"):
            yield name
json.dumps(sorted(_mettri_stdlib()))
`;

/**
 * Make the snapshot in a worker (the core's thread stays free) and store it there.
 * @param {string} key
 * @param {string[]} modules standard-library modules to import before the snapshot is taken
 * @param {number} [timeoutMs]
 * @returns {Promise<{ bytes: number, ms: number, preimported: number }>}
 */
export function makeSnapshot(key, modules, timeoutMs = 120_000) {
  const worker = new Worker(new URL("./snapshot-worker.js", import.meta.url), { type: "module" });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return /** @type {Promise<{ bytes: number, ms: number, preimported: number }>} */ (
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("runtime snapshot: timed out")), timeoutMs);
      worker.onmessage = (e) => (e.data && e.data.ok ? resolve(e.data) : reject(new Error(String(e.data && e.data.error))));
      worker.onerror = (e) => reject(new Error(`runtime snapshot: ${e.message}`));
      worker.postMessage({ key, modules });
    })
  ).finally(() => {
    clearTimeout(timer);
    worker.terminate();
  });
}
