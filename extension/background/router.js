// Routes bridge messages: requests from pages and the WhatsApp tab go to the
// core in the offscreen document; events from the core go to the WhatsApp tabs
// (pages receive them directly; the offscreen document only has chrome.runtime).

import { ensureOffscreen } from "./offscreen-manager.js";

const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1600];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function isNoReceiver(err) {
  return /Receiving end does not exist|Could not establish connection/.test(String(err && err.message ? err.message : err));
}

/** Forward a request to the core, recreating the offscreen document if it is gone. */
export async function forwardToCore(request) {
  let lastError = null;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    await ensureOffscreen();
    try {
      const reply = await chrome.runtime.sendMessage({ to: "offscreen", request });
      if (reply !== undefined) return reply;
      lastError = new Error("the core sent no reply");
    } catch (err) {
      if (!isNoReceiver(err)) throw err;
      lastError = err; // the document is still loading its script, or was just closed
    }
    if (attempt < RETRY_DELAYS_MS.length) await sleep(RETRY_DELAYS_MS[attempt]);
  }
  return {
    id: request.id ?? null,
    ok: false,
    error: { code: "not_ready", message: `core unreachable: ${lastError}`, details: [] },
  };
}

async function whatsappTabs() {
  return chrome.tabs.query({ url: "https://web.whatsapp.com/*" });
}

/** Deliver a core event to every WhatsApp tab (pages get it from the broadcast itself). */
export async function relayEventToTabs(envelope) {
  const tabs = await whatsappTabs();
  await Promise.all(
    tabs.map((tab) => chrome.tabs.sendMessage(tab.id, { to: "content", envelope }).catch(() => undefined)),
  );
}
