// @ts-check
// The offscreen document: hosts the Python core, which runs in its own worker (core-worker.js) so
// that its work never holds the main thread the side panel and the other extension pages share
// with this document. Requests that arrive while the core is starting wait in a queue and are
// answered once it is ready (or with a clear not_ready error if start-up failed); none is dropped.
// This document keeps what needs chrome.runtime: the sender checks, events and model requests.

import { makeSnapshot } from "./runtime-snapshot.js";
import { release } from "./release.js";
import { makeLink } from "./link.js";
import { LINE_NAME, makeLines } from "./lines.js";
import { makeTabPorts } from "./tab-ports.js";
import { modelChat } from "./model-request.js";
import { encodeReply, stampRequest } from "../background/sender-check.js";

const SERVICE_WORKER_URL = chrome.runtime.getURL("extension/background/service-worker.js");

const startedAt = performance.now();
/** @type {Mettri.Result<"core.boot_state">} */
const state = { stage: "starting", error: null, stages: {}, startedAt, readyMs: null, runtimeFrom: null, snapshotState: null };
// The runtime's memory snapshot (runtime-snapshot.js) is made this long after a start that had
// none: off the core's thread, but it takes a core of the CPU for a second or two.
const SNAPSHOT_DELAY_MS = 5_000;
let started = false;
/** @type {() => void} */
let resolveReady = () => undefined;
/** @type {Promise<void>} */
const ready = new Promise((r) => (resolveReady = r));

/** @param {Mettri.Message} message */
const send = (message) => chrome.runtime.sendMessage(message);

// Pages and the content script hold a line to this document (lines.js), answered as a message is.
const lines = makeLines(answer);

// Each event's key: this document's life and its number in it (a client hears an event on its
// line and by the broadcast, and keeps the first: lines.js).
const life = Math.random().toString(36).slice(2, 10);
let published = 0;

/** @param {Mettri.Event} envelope */
function publish(envelope) {
  published += 1;
  const key = `${life}-${published}`;
  const onLine = lines.publish(envelope, key);
  send({ to: "broadcast", envelope, key, lines: onLine }).catch(() => undefined);
}

function broadcastBoot() {
  publish({ event: "core.boot", data: { ...state } });
}

// The worker loads the runtime from its start on (core-worker.js); boot() then starts the core.
const worker = new Worker(new URL("./core-worker.js", import.meta.url), { type: "module" });
const core = makeLink(worker, {
  /** @param {{ stage: Mettri.system.BootStageName, phase: "start" | "done", ms: number }} note */
  stage({ stage, phase, ms }) {
    state.stage = stage;
    if (phase === "done") state.stages[stage] = Math.round(ms);
    broadcastBoot();
  },
  /** @param {Mettri.system.RuntimeFrom} from */
  runtimeFrom(from) {
    state.runtimeFrom = from;
  },
  /** @param {string} envelopeJson */
  emit(envelopeJson) {
    publish(JSON.parse(envelopeJson));
  },
  /** @param {string} requestJson */
  async modelChat(requestJson) {
    return JSON.stringify(await modelChat(JSON.parse(requestJson)));
  },
});
// A worker that cannot load or run (its script failed) fails the start with the browser's reason,
// also when that comes before the document asks it to boot (the worker starts on its own).
/** @type {string | null} */
let workerError = null;
worker.onerror = (e) => {
  e.preventDefault();
  workerError = `the core's worker failed: ${e.message || "no reason given"}`;
  core.failAll(workerError);
};

async function boot() {
  try {
    if (workerError !== null) throw new Error(workerError);
    await core.call("boot");
    started = true;
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
  // For scripts/bench_scale.py and DevTools: the size of Python's WebAssembly memory, in the worker.
  Object.assign(globalThis, { mettriWasmBytes: () => core.call("wasmBytes"), mettriFileBytes: () => core.call("fileBytes") });
  if (started && state.runtimeFrom === "fresh") setTimeout(snapshotForNextStart, SNAPSHOT_DELAY_MS);
}

async function snapshotForNextStart() {
  state.snapshotState = "making";
  try {
    /** @type {string[]} */
    const modules = await core.call("stdlib");
    const made = await makeSnapshot((await release()).snapshotKey, modules);
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
 * The reply as the core's JSON text: passed on as it is to a sender that asked in text.
 * @param {Mettri.StampedRequest | undefined} request
 * @returns {Promise<Mettri.Reply | string>}
 */
async function handle(request) {
  await ready;
  if (!started) return notReady(request);
  // JSON text in, JSON text out: one conversion each way, no proxies to leak.
  return core.call("handle", JSON.stringify(request));
}

/**
 * @param {Mettri.StampedRequest} request
 * @param {boolean} text the sender asked in JSON text: the reply goes back as text
 * @param {(reply: unknown) => void} sendResponse
 * @returns {boolean} whether the reply comes later
 */
function answer(request, text, sendResponse) {
  /** @param {unknown} reply */
  const send = (reply) => sendResponse(text ? encodeReply(reply, true) : typeof reply === "string" ? JSON.parse(reply) : reply);
  if (request && request.type === MettriApi.core.boot_state.command) {
    send({ id: request.id, ok: true, result: { ...state } });
    return false;
  }
  handle(request).then(send, (err) => send(MettriProtocol.errorReply(null, "internal_error", String(err))));
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
      sendResponse(encodeReply(MettriProtocol.errorReply(null, "invalid_message", "request must be an object"), stamped.text));
      return false;
    }
    return answer(stamped.request, stamped.text, sendResponse);
  }
  if (message.to === "offscreen") {
    // The worker's relay: it has stamped the source. Nobody else may use this address.
    if (sender.id !== chrome.runtime.id || sender.url !== SERVICE_WORKER_URL) return false;
    return answer(message.request, !!message.text, sendResponse);
  }
  return false;
});

// The WhatsApp pages' ports, whose drop says a page is gone (tab-ports.js).
const tabPorts = makeTabPorts((request) => handle(request).catch(() => undefined));
chrome.runtime.onConnect.addListener((port) => {
  if (port.name === LINE_NAME) lines.accept(port);
  else tabPorts.accept(port);
});

Object.assign(globalThis, { mettriCoreState: state }); // for diagnostics from DevTools
boot();
