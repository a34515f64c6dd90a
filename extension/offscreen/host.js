// The host object the Python core receives (pycore/host.py): storage, events
// and requests to the WhatsApp tab. JSON text crosses the boundary both ways.

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
    /** Ask a WhatsApp tab to act (type, send, scroll); resolves with its JSON answer. */
    async requestTab(tabId, payloadJson) {
      const answer = await chrome.runtime.sendMessage({
        to: "sw",
        kind: "tab_request",
        tabId: tabId ?? null,
        payload: JSON.parse(payloadJson),
      });
      return JSON.stringify(answer ?? { ok: false, error: "no answer" });
    },
    now() {
      return Date.now() / 1000;
    },
  };
}
