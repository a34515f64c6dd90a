// @ts-check
// Boots Pyodide and the core in named stages. Each stage has a timeout and a
// check, so a failure is a clear state ("packages: pydantic did not import"),
// never a silent hang. Everything is loaded from the extension's own files.

import { loadPyodide } from "/vendor/pyodide/pyodide.mjs";
import { dropSnapshots, hasSnapshot, loadSnapshot } from "./runtime-snapshot.js";

/** The start-up stages (pycore/protocol/system.py names them). @typedef {Mettri.system.BootStageName} Stage */

/** Each stage must finish within its timeout. @type {Record<Stage, number>} */
const STAGE_TIMEOUT_MS = { runtime: 90_000, packages: 60_000, core: 60_000 };

/**
 * @template T
 * @param {Stage} stage
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
function withTimeout(stage, promise) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${stage}: timed out after ${STAGE_TIMEOUT_MS[stage] / 1000} s`)), STAGE_TIMEOUT_MS[stage]);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class StageError extends Error {
  /**
   * @param {Stage} stage
   * @param {unknown} cause
   */
  constructor(stage, cause) {
    const message = cause ? /** @type {{ message?: unknown }} */ (cause).message : undefined;
    super(`${stage}: ${message || cause}`);
    this.stage = stage;
  }
}

// A restored runtime shares the snapshot's memory, the random module's state included.
const AFTER_RESTORE = `
import sys
if "random" in sys.modules:
    sys.modules["random"].seed()
`;

// Mettri uses no pydantic plugin. Unless told so, pydantic's first model looks for plugins through
// every installed distribution's entry points, the standard library's zip included: ~15 ms of each
// start, and a way for a package to run code in the core.
const NO_PYDANTIC_PLUGINS = `
import os
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
`;

/**
 * The runtime from the stored snapshot when there is one that restores; otherwise null (and
 * a snapshot that does not restore is dropped, so the next start makes a new one). The snapshot
 * is read while Pyodide loads its own script.
 * @param {string} key
 * @param {import("/vendor/pyodide/pyodide.mjs").PyodideConfig} config
 */
async function fromSnapshot(key, config) {
  if (!(await hasSnapshot(key).catch(() => false))) return null;
  try {
    const snapshot = loadSnapshot(key).then((bytes) => {
      if (!bytes) throw new Error("the snapshot went away");
      return bytes;
    });
    const pyodide = await loadPyodide({ ...config, _loadSnapshot: snapshot });
    pyodide.runPython(AFTER_RESTORE);
    return pyodide;
  } catch (err) {
    console.warn("mettri: runtime snapshot did not restore; starting fresh", err);
    await dropSnapshots().catch(() => undefined);
    return null;
  }
}

/**
 * Load the runtime and the core packages.
 * @param {(stage: Stage, state: "start"|"done", ms?: number) => void} onStage
 * @param {{ packages?: string[], imports?: string[], snapshotKey?: string | null,
 *           onRuntimeFrom?: (from: Mettri.system.RuntimeFrom) => void }} [options]
 *   snapshotKey: restore the runtime from the snapshot stored under this key when there is one.
 * @returns {Promise<import("/vendor/pyodide/pyodide.mjs").PyodideAPI>}
 */
export async function loadRuntime(
  onStage,
  { packages = ["mettri-core"], imports = ["pydantic", "pycore"], snapshotKey = null, onRuntimeFrom = () => undefined } = {},
) {
  /**
   * @template T
   * @param {Stage} stage
   * @param {() => Promise<T>} fn
   */
  const run = async (stage, fn) => {
    const t0 = performance.now();
    onStage(stage, "start");
    try {
      const value = await withTimeout(stage, fn());
      onStage(stage, "done", performance.now() - t0);
      return value;
    } catch (err) {
      throw err instanceof StageError ? err : new StageError(stage, err);
    }
  };

  // Absolute URLs: Pyodide resolves wheel file names against the lock file's URL.
  const base = new URL("/vendor/pyodide/", location.href).href;
  /** @type {import("/vendor/pyodide/pyodide.mjs").PyodideConfig} */
  const config = {
    indexURL: base,
    lockFileURL: base + "mettri-lock.json",
    // Pyodide fetches and installs them while the runtime itself starts (as soon as it has read
    // the lock file): measured 25-40 ms sooner than loading them once it is up. The packages stage
    // then finds them in (or loads them again, reporting why they were not) and imports them.
    packages,
    stdout: (line) => console.log("[py]", line),
    stderr: (line) => console.warn("[py]", line),
  };
  const pyodide = await run("runtime", async () => {
    const restored = snapshotKey ? await fromSnapshot(snapshotKey, config) : null;
    onRuntimeFrom(restored ? "snapshot" : "fresh");
    const runtime = restored || (await loadPyodide(config));
    runtime.runPython(NO_PYDANTIC_PLUGINS);
    return runtime;
  });

  await run("packages", async () => {
    /** @type {string[]} */
    const problems = [];
    // Loaded with the runtime already, unless that failed: then this loads them again, and
    // loadPackage logs instead of throwing when a file is missing or fails its integrity check:
    // collect the errors and verify the imports ourselves.
    await pyodide.loadPackage(packages, {
      messageCallback: () => undefined,
      errorCallback: (msg) => problems.push(msg),
    });
    for (const name of imports) {
      try {
        pyodide.pyimport(name);
      } catch (err) {
        problems.push(`${name} did not import: ${String(err).split("\n").slice(-2).join(" ")}`);
      }
    }
    if (problems.length) throw new Error(problems.join("; "));
  });

  return pyodide;
}
