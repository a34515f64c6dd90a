// @ts-check
// The generated client (MettriApi) over the worker's own way to the core: the worker is one of the
// extension's pages as far as the core is concerned (it stamps sources for everyone else).
// Imported by every worker module that calls the core (reminders, scheduled messages).
import { forwardToCore } from "./router.js";

let counter = 0;

/** @type {typeof MettriCore} */
const workerCore = Object.freeze({
  request: async (/** @type {any} */ type, /** @type {any[]} */ ...params) => {
    const id = `sw-${Date.now().toString(36)}-${++counter}`;
    const request = { ...MettriProtocol.request(id, type, params[0] ?? {}), source: /** @type {const} */ ("page"), tab_id: null };
    return /** @type {any} */ (await forwardToCore(request));
  },
  call: async (/** @type {any} */ type, /** @type {any[]} */ ...params) => {
    const reply = await workerCore.request(type, ...params);
    if (reply.ok) return reply.result;
    const err = /** @type {Mettri.CallError} */ (new Error(reply.error.message));
    err.code = reply.error.code;
    err.details = reply.error.details;
    throw err;
  },
  onEvent: () => () => false,
  ensureCore: async () => undefined,
  restartCore: async () => undefined,
  lineLive: () => false, // the worker relays by runtime messages: it holds no line
});
globalThis.MettriCore = workerCore;
