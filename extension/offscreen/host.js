// @ts-check
// The host object the Python core receives (pycore/host.py): storage and events.
// JSON text crosses the boundary both ways.

import { IdbShim } from "./idb-shim.js";

/** @param {{ dbName?: string }} [options] */
export function createHost({ dbName } = {}) {
  const idb = new IdbShim(dbName);
  return {
    idb,
    /** An event from the core: pages hear it directly, the service worker relays it to WhatsApp tabs. */
    /** @param {string} envelopeJson */
    emit(envelopeJson) {
      /** @type {Mettri.Message} */
      const message = { to: "broadcast", envelope: JSON.parse(envelopeJson) };
      chrome.runtime.sendMessage(message).catch(() => undefined);
    },
    now() {
      return Date.now() / 1000;
    },
  };
}
