// @ts-check
// The offscreen document: hosts the Python core. Requests that arrive while the
// core is starting wait in a queue and are answered once it is ready (or with a
// clear not_ready error if start-up failed); none is dropped.

import { version as pyodideVersion } from "/vendor/pyodide/pyodide.mjs";
import { loadRuntime } from "./runtime.js";
import { makeSnapshot, STDLIB_LOADED } from "./runtime-snapshot.js";
import { createHost } from "./host.js";
import { stampRequest } from "../background/sender-check.js";

const SERVICE_WORKER_URL = chrome.runtime.getURL("extension/background/service-worker.js");

const startedAt = performance.now();
/** @type {Mettri.Result<"core.boot_state">} */
const state = { stage: "starting", error: null, stages: {}, startedAt, readyMs: null, runtimeFrom: null, snapshotState: null };
// The runtime's memory snapshot (runtime-snapshot.js) is made this long after a start that had
// none: off the core's thread, but it takes a core of the CPU for a second or two.
const SNAPSHOT_DELAY_MS = 5_000;
/** @type {{ handle_json(json: string): Promise<string> } | null} the Python CoreHost proxy */
let core = null;
/** @type {() => void} */
let resolveReady = () => undefined;
/** @type {Promise<void>} */
const ready = new Promise((r) => (resolveReady = r));

/** @param {Mettri.Message} message */
const send = (message) => chrome.runtime.sendMessage(message);

function broadcastBoot() {
  send({ to: "broadcast", envelope: { event: "core.boot", data: { ...state } } }).catch(() => undefined);
}

/** The offscreen document has no chrome.runtime.getManifest(): read the file. */
const manifest = fetch(chrome.runtime.getURL("manifest.json"))
  .then((r) => r.json())
  .catch(() => null);

/** Unpacked (development) builds have no update_url (the store adds it): only they let tests
 *  move the core's clock. */
async function isDevelopmentBuild() {
  const m = await manifest;
  return m !== null && !("update_url" in m);
}

/** The snapshot belongs to this runtime and this release (whose core chose what it pre-imports). */
async function snapshotKey() {
  const m = await manifest;
  return `pyodide-${pyodideVersion}/mettri-${m ? m.version : "unknown"}`;
}

async function boot() {
  /** @type {import("/vendor/pyodide/pyodide.mjs").PyodideAPI | null} */
  let pyodide = null;
  try {
    pyodide = await loadRuntime(
      (stage, phase, ms = 0) => {
        state.stage = stage;
        if (phase === "done") state.stages[stage] = Math.round(ms);
        broadcastBoot();
      },
      { snapshotKey: await snapshotKey(), onRuntimeFrom: (from) => (state.runtimeFrom = from) },
    );
    const t0 = performance.now();
    state.stage = "core";
    broadcastBoot();
    const host = createHost();
    const hostModule = pyodide.pyimport("pycore.host");
    core = await hostModule.start(host, await isDevelopmentBuild());
    state.stages.core = Math.round(performance.now() - t0);
    state.stage = "ready";
    state.readyMs = Math.round(performance.now() - startedAt);
  } catch (err) {
    state.stage = "failed";
    const message = err ? /** @type {{ message?: unknown }} */ (err).message : undefined;
    state.error = String(message || err);
    console.error("mettri: core failed to start", err);
  }
  broadcastBoot();
  resolveReady();
  const runtime = pyodide;
  // Python's heap is WebAssembly memory, outside the JS heap: its size, for scripts/bench_scale.py and DevTools.
  if (runtime) Object.assign(globalThis, { mettriWasmBytes: () => /** @type {any} */ (runtime)._module.HEAPU8.buffer.byteLength });
  if (runtime && state.stage === "ready" && state.runtimeFrom === "fresh") {
    setTimeout(() => snapshotForNextStart(runtime), SNAPSHOT_DELAY_MS);
  }
}

/** @param {import("/vendor/pyodide/pyodide.mjs").PyodideAPI} pyodide the running core's runtime */
async function snapshotForNextStart(pyodide) {
  state.snapshotState = "making";
  try {
    /** @type {string[]} */
    const modules = JSON.parse(pyodide.runPython(STDLIB_LOADED));
    const made = await makeSnapshot(await snapshotKey(), modules);
    state.snapshotState = "saved";
    console.info(`mettri: runtime snapshot saved (${Math.round(made.bytes / 2 ** 20)} MB, ${made.preimported} modules, ${made.ms} ms)`);
  } catch (err) {
    state.snapshotState = "failed";
    console.warn("mettri: runtime snapshot not made", err);
  }
}

/**
 * @param {Mettri.StampedRequest | undefined} request
 * @returns {Mettri.Reply<never>}
 */
function notReady(request) {
  const id = (request && typeof request.id === "string" && request.id) || null;
  return MettriProtocol.errorReply(id, "not_ready", `the core failed to start: ${state.error}`, [{ stage: state.stage }]);
}

/**
 * @param {Mettri.StampedRequest | undefined} request
 * @returns {Promise<Mettri.Reply>}
 */
async function handle(request) {
  await ready;
  if (!core) return notReady(request);
  // JSON text in, JSON text out: one conversion each way, no proxies to leak.
  return JSON.parse(await core.handle_json(JSON.stringify(request)));
}

/**
 * @param {Mettri.StampedRequest} request
 * @param {(reply: unknown) => void} sendResponse
 * @returns {boolean} whether the reply comes later
 */
function answer(request, sendResponse) {
  if (request && request.type === MettriApi.core.boot_state.command) {
    sendResponse({ id: request.id, ok: true, result: { ...state } });
    return false;
  }
  handle(request).then(sendResponse, (err) => sendResponse(MettriProtocol.errorReply(null, "internal_error", String(err))));
  return true;
}

chrome.runtime.onMessage.addListener((/** @type {Mettri.Message} */ message, sender, sendResponse) => {
  if (!message) return false;
  if (message.to === "core-direct") {
    // Pages and the content script, without the worker's relay: the request's source is stamped
    // here from Chrome's sender information by the worker's own rule (background/sender-check.js).
    const stamped = stampRequest(message.request, sender);
    if (stamped === null) return false; // not ours: never answered
    if ("invalid" in stamped) {
      sendResponse(MettriProtocol.errorReply(null, "invalid_message", "request must be an object"));
      return false;
    }
    return answer(stamped.request, sendResponse);
  }
  if (message.to === "offscreen") {
    // The worker's relay: it has stamped the source. Nobody else may use this address.
    if (sender.id !== chrome.runtime.id || sender.url !== SERVICE_WORKER_URL) return false;
    return answer(message.request, sendResponse);
  }
  return false;
});

Object.assign(globalThis, { mettriCoreState: state }); // for diagnostics from DevTools
boot();
