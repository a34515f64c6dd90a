// The host object the Python core receives (pycore/host.py): storage and events.
// JSON text crosses the boundary both ways.

import { IdbShim } from "./idb-shim.js";

export function createHost({ dbName } = {}) {
  const idb = new IdbShim(dbName);
  return {
    idb,
    /** An event from the core: pages hear it directly, the service worker relays it to WhatsApp tabs. */
    emit(envelopeJson) {
      const envelope = JSON.parse(envelopeJson);
      chrome.runtime.sendMessage({ to: "broadcast", envelope }).catch(() => undefined);
    },
    now() {
      return Date.now() / 1000;
    },
  };
}
