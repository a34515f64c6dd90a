// @ts-check
// Knows when a WhatsApp tab's page is gone, at once: each page holds a port to this document (the
// core's), and a port drops when its page closes, reloads, navigates away or its renderer crashes
// (Chrome shows "Aw, Snap!" and the tab stays). The core is then told tabs.bye for that page, so
// another tab takes over now instead of after the 90 s the core waits for a silent tab.
// The port was the service worker's until the lines (lines.js): only this document may listen for
// connections, and it lives as long as the core, so no drop goes unseen while there is a core to
// tell. A page whose port cannot connect (no document yet) tries again shortly (content.js).

import { classifySender } from "../background/sender-check.js";

const PORT_PREFIX = "mettri-tab:"; // + the page's id (a reload keeps the tab, not the page)

/**
 * @param {(request: Mettri.StampedRequest) => unknown} tell the core a request stamped by this document
 */
export function makeTabPorts(tell) {
  let counter = 0;

  /**
   * @param {number} tabId
   * @param {string | null} doc the page that is gone
   */
  function bye(tabId, doc) {
    counter += 1;
    const request = MettriProtocol.request(`doc-bye-${counter}`, MettriApi.tabs.bye.command, { tab_id: String(tabId), doc });
    // Stamped as the tab's own: the document speaks for a page that can no longer speak.
    tell({ ...request, source: "content", tab_id: tabId });
  }

  /**
   * Take a page's port, or refuse it; a port of another name is not this module's.
   * @param {chrome.runtime.Port} port
   */
  function accept(port) {
    if (!port.name.startsWith(PORT_PREFIX)) return;
    const tabId = port.sender?.tab?.id;
    if (classifySender(/** @type {chrome.runtime.MessageSender} */ (port.sender)) !== "content" || tabId == null) {
      port.disconnect();
      return;
    }
    const doc = port.name.slice(PORT_PREFIX.length) || null;
    port.onDisconnect.addListener(() => bye(tabId, doc));
  }

  return { accept };
}
