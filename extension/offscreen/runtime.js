// @ts-check
// Boots Pyodide and the core in named stages. Each stage has a timeout and a
// check, so a failure is a clear state ("packages: pydantic did not import"),
// never a silent hang. Everything is loaded from the extension's own files.

import { loadPyodide } from "/vendor/pyodide/pyodide.mjs";

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

/**
 * Load the runtime and the core packages.
 * @param {(stage: Stage, state: "start"|"done", ms?: number) => void} onStage
 * @param {{ packages?: string[], imports?: string[] }} [options]
 * @returns {Promise<import("/vendor/pyodide/pyodide.mjs").PyodideAPI>}
 */
export async function loadRuntime(onStage, { packages = ["mettri-core"], imports = ["pydantic", "pycore"] } = {}) {
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
  const pyodide = await run("runtime", () =>
    loadPyodide({
      indexURL: base,
      lockFileURL: base + "mettri-lock.json",
      stdout: (line) => console.log("[py]", line),
      stderr: (line) => console.warn("[py]", line),
    }),
  );

  await run("packages", async () => {
    /** @type {string[]} */
    const problems = [];
    // loadPackage logs instead of throwing when a file is missing or fails its
    // integrity check: collect the errors and verify the imports ourselves.
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
