// @ts-check
// The Python core's own thread. The offscreen document starts this worker and relays every request
// to it (main.js), so the core's work never holds the renderer's main thread, which the side panel
// and the other extension pages share with the offscreen document (issue 16, target 6).

import { loadRuntime } from "./runtime.js";
import { STDLIB_LOADED } from "./runtime-snapshot.js";
import { release } from "./release.js";
import { createHost } from "./host.js";
import { makeLink } from "./link.js";
import { IdbShim } from "./idb-shim.js";
import { EARLY_BLOBS } from "./early-reads.js";

// An early read the core did not take by this long after its start is let go (its memory).
const EARLY_KEPT_MS = 60_000;

/** @type {import("/vendor/pyodide/pyodide.mjs").PyodideAPI | null} */
let pyodide = null;
/** @type {{ handle_json(json: string): Promise<string>, loaded(): Promise<void> } | null} the Python CoreHost proxy */
let core = null;
// The database's blobs the core reads first (its search index) start coming in now, on a thread of
// their own, while this one loads the runtime (IdbShim.readEarly).
const idb = new IdbShim();
idb.readEarly(EARLY_BLOBS);

const link = makeLink(/** @type {any} */ (self), {
  /** Start the core once the runtime is in; stages are reported as notices while it works. */
  async boot() {
    pyodide = await runtime;
    const { dev } = await release();
    const t0 = performance.now();
    link.notify("stage", { stage: "core", phase: "start", ms: 0 });
    core = await pyodide.pyimport("pycore.host").start(createHost(link, { idb }), dev);
    link.notify("stage", { stage: "core", phase: "done", ms: performance.now() - t0 });
    setTimeout(() => idb.dropEarly(), EARLY_KEPT_MS);
    return null;
  },
  /** One request, JSON text in and out. @param {string} json */
  handle(json) {
    if (!core) throw new Error("the core has not started");
    return core.handle_json(json);
  },
  /** The standard-library modules the core has imported once all its features are in (for the
   * next start's runtime snapshot). */
  async stdlib() {
    if (!pyodide) return [];
    if (core) await core.loaded();
    return JSON.parse(pyodide.runPython(STDLIB_LOADED));
  },
  /** Python's heap is WebAssembly memory, outside the JS heap: its size, for scripts/bench_scale.py. */
  wasmBytes() {
    return pyodide ? /** @type {any} */ (pyodide)._module.HEAPU8.buffer.byteLength : null;
  },
  /** The bytes held by files in Python's in-memory file system (the search index's database, kept
   * there outside the wasm heap): for scripts/bench_scale.py, with wasmBytes. */
  fileBytes() {
    if (!pyodide) return null;
    const fs = /** @type {any} */ (pyodide).FS;
    let bytes = 0;
    for (const name of fs.readdir("/tmp")) {
      const node = fs.lookupPath(`/tmp/${name}`).node;
      if (node.contents && node.contents.byteLength) bytes += node.contents.byteLength; // its storage, not just its size
    }
    return bytes;
  },
});

// The runtime and the packages load from this worker's start on, without waiting for the
// document's call (a round trip, and the document's own read of the manifest, before).
const runtime = release().then(({ snapshotKey }) =>
  loadRuntime((stage, phase, ms = 0) => link.notify("stage", { stage, phase, ms }), {
    snapshotKey,
    onRuntimeFrom: (from) => link.notify("runtimeFrom", from),
  }),
);
runtime.catch(() => undefined); // its failure is boot's answer
