// @ts-check
// Makes the runtime's memory snapshot (runtime-snapshot.js) off the core's thread: a fresh
// Pyodide with the given standard-library modules imported, snapshotted, stored; then the
// worker is closed. If the imports make the runtime unsnapshottable, a bare one is used.

import { loadPyodide } from "/vendor/pyodide/pyodide.mjs";
import { encode, saveSnapshot } from "./runtime-snapshot.js";

const PREIMPORT = `
import importlib, json
def _mettri_preimport(names):
    done = 0
    for name in names:
        try:
            importlib.import_module(name)
            done += 1
        except Exception:
            pass
    return done
`;

/** @param {string[]} modules */
async function snapshot(modules) {
  const base = new URL("/vendor/pyodide/", location.href).href;
  const pyodide = await loadPyodide({ indexURL: base, lockFileURL: base + "mettri-lock.json", _makeSnapshot: true });
  let preimported = 0;
  if (modules.length) {
    pyodide.runPython(PREIMPORT);
    // The names travel as a JSON text inside a Python string literal: no JS object crosses over.
    preimported = pyodide.runPython(`_mettri_preimport(json.loads(${JSON.stringify(JSON.stringify(modules))}))`);
    pyodide.runPython("del _mettri_preimport");
  }
  // A fresh ArrayBuffer of its own (never shared memory).
  return { bytes: /** @type {Uint8Array<ArrayBuffer>} */ (pyodide.makeMemorySnapshot()), preimported };
}

self.onmessage = async (/** @type {MessageEvent<{ key: string, modules: string[] }>} */ e) => {
  const t0 = performance.now();
  try {
    let made;
    try {
      made = await snapshot(e.data.modules);
    } catch (err) {
      console.warn("mettri: runtime snapshot with pre-imported modules failed; making a bare one", err);
      made = await snapshot([]);
    }
    const stored = encode(made.bytes, e.data.key);
    await saveSnapshot(stored);
    self.postMessage({ ok: true, bytes: stored.data.size, ms: Math.round(performance.now() - t0), preimported: made.preimported });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err) });
  }
};
