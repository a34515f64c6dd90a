// @ts-check
// Knows when a WhatsApp tab's page is gone, at once: each page holds a port to the worker, and a
// port drops when its page closes, reloads, navigates away or its renderer crashes (Chrome shows
// "Aw, Snap!" and the tab stays). The worker then says tabs.bye for that page, so another tab
// takes over now instead of after the 90 s the core waits for a silent tab. A tab closed while
// the worker slept wakes it through chrome.tabs.onRemoved.

import { classifySender } from "./sender-check.js";
import { forwardToCore } from "./router.js";

const PORT_PREFIX = "mettri-tab:"; // + the page's id (a reload keeps the tab, not the page)
/** @type {Set<number>} tabs whose page held a port in this worker's life (pages reconnect when it restarts) */
const known = new Set();
let ports = 0; // ports seen: 0 means this worker just woke and does not know the tabs yet
let counter = 0;

/**
 * @param {number} tabId
 * @param {string | null} doc the page that is gone (null: whatever the tab shows)
 */
function bye(tabId, doc) {
  counter += 1;
  const request = MettriProtocol.request(`sw-bye-${counter}`, MettriApi.tabs.bye.command, { tab_id: String(tabId), doc });
  // Stamped as the tab's own: the worker speaks for a page that can no longer speak.
  return forwardToCore({ ...request, source: "content", tab_id: tabId }).catch(() => undefined);
}

export function watchTabs() {
  chrome.runtime.onConnect.addListener((port) => {
    if (!port.name.startsWith(PORT_PREFIX)) return;
    const tabId = port.sender?.tab?.id;
    if (classifySender(/** @type {chrome.runtime.MessageSender} */ (port.sender)) !== "content" || tabId == null) {
      port.disconnect();
      return;
    }
    const doc = port.name.slice(PORT_PREFIX.length) || null;
    known.add(tabId);
    ports += 1;
    port.onMessage.addListener(() => undefined); // the page's keep-alive beats keep this worker awake
    port.onDisconnect.addListener(() => bye(tabId, doc));
  });
  chrome.tabs.onRemoved.addListener((tabId) => {
    // Other tabs are none of the core's business; a worker that just woke cannot tell, so it asks.
    if (known.delete(tabId) || ports === 0) bye(tabId, null);
  });
}
