// @ts-check
// Who may talk to the core. Only this extension's own contexts: its pages and
// offscreen document, and its content script inside a web.whatsapp.com tab.
// No externally_connectable in the manifest, so other extensions and web pages
// cannot reach onMessage at all; this check is the second lock.

const WHATSAPP_ORIGIN = "https://web.whatsapp.com";

/**
 * @param {chrome.runtime.MessageSender} sender
 * @returns {"page"|"content"|"offscreen"|null}
 */
export function classifySender(sender) {
  if (!sender || sender.id !== chrome.runtime.id) return null;
  const url = sender.url || "";
  // A content script's sender has a tab and the page's URL; an extension page
  // opened in a tab (options, or a test) has a tab too, with our own URL.
  if (sender.tab && !url.startsWith(chrome.runtime.getURL(""))) {
    return url.startsWith(WHATSAPP_ORIGIN + "/") ? "content" : null;
  }
  if (url.startsWith(chrome.runtime.getURL("extension/offscreen/offscreen.html"))) return "offscreen";
  return url.startsWith(chrome.runtime.getURL("")) ? "page" : null;
}
