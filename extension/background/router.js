// @ts-check
// Routes bridge messages: requests from pages and the WhatsApp tab go to the
// core in the offscreen document; events from the core go to the WhatsApp tabs
// (pages receive them directly; the offscreen document only has chrome.runtime).

import { ensureOffscreen } from "./offscreen-manager.js";
import { encodeReply } from "./sender-check.js";
import { forTabs } from "../shared/tab-events.js";

const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1600];
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {unknown} err */
function isNoReceiver(err) {
  const message = err ? /** @type {{ message?: unknown }} */ (err).message : undefined;
  return /Receiving end does not exist|Could not establish connection/.test(String(message || err));
}

/**
 * Forward a request to the core, recreating the offscreen document if it is gone.
 * @param {Mettri.StampedRequest} request the envelope with the source the worker stamped
 * @param {boolean} [text] the sender wants the reply as JSON text (the document answers so)
 * @returns {Promise<Mettri.Reply | string>}
 */
export async function forwardToCore(request, text = false) {
  /** @type {unknown} */
  let lastError = null;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    await ensureOffscreen();
    try {
      /** @type {Mettri.Message} */
      const message = { to: "offscreen", request, text };
      const reply = await chrome.runtime.sendMessage(message);
      if (reply !== undefined) return reply;
      lastError = new Error("the core sent no reply");
    } catch (err) {
      if (!isNoReceiver(err)) throw err;
      lastError = err; // the document is still loading its script, or was just closed
    }
    if (attempt < RETRY_DELAYS_MS.length) await sleep(RETRY_DELAYS_MS[attempt]);
  }
  return /** @type {Mettri.Reply | string} */ (encodeReply(MettriProtocol.errorReply(request.id ?? null, "not_ready", `core unreachable: ${lastError}`), text));
}

async function whatsappTabs() {
  return chrome.tabs.query({ url: "https://web.whatsapp.com/*" });
}

/**
 * Deliver a core event to every WhatsApp tab, if they hear it (pages get it from the broadcast
 * itself), except the tabs the document already gave it on their line.
 * @param {Mettri.Event} envelope
 * @param {string | undefined} key the event's key: a tab that heard it on its line drops this copy
 * @param {number[]} [onLine] the tabs whose line carried it
 */
export async function relayEventToTabs(envelope, key, onLine = []) {
  if (!forTabs(envelope.event)) return;
  const tabs = (await whatsappTabs()).filter((tab) => !onLine.includes(/** @type {number} */ (tab.id)));
  /** @type {Mettri.Message} */
  const message = { to: "content", envelope, key };
  await Promise.all(
    tabs.map((tab) => (tab.id == null ? undefined : chrome.tabs.sendMessage(tab.id, message).catch(() => undefined))),
  );
}
