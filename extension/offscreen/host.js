// @ts-check
// The host object the Python core receives (pycore/host.py), inside the core worker: storage,
// the clock, events and the language model's request. JSON text crosses the boundary both ways.
// Events and model requests go to the offscreen document, which alone has chrome.runtime.

import { IdbShim } from "./idb-shim.js";

/**
 * @param {{ notify(name: string, arg?: unknown): void, call(name: string, arg?: unknown): Promise<any> }} link
 *   to the offscreen document (link.js)
 * @param {{ dbName?: string, idb?: IdbShim }} [options] the database's name, or its shim already made
 */
export function createHost(link, { dbName, idb = new IdbShim(dbName) } = {}) {
  return {
    idb,
    /** An event from the core: the document sends it to pages and, through the service worker, to WhatsApp tabs. */
    /** @param {string} envelopeJson */
    emit(envelopeJson) {
      link.notify("emit", envelopeJson);
    },
    now() {
      return Date.now() / 1000;
    },
    /** @param {string} requestJson @returns {Promise<string>} */
    modelChat(requestJson) {
      return link.call("modelChat", requestJson);
    },
  };
}
