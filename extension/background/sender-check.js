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

/**
 * A request as the core may see it: its source and tab stamped from Chrome's own sender
 * information, never from what the sender wrote. The service worker (relaying) and the offscreen
 * document (answering pages and the content script directly) both use this one rule.
 * The client sends the envelope as JSON text (`text`: answer it as text too); an object is taken as well.
 * @param {unknown} request
 * @param {chrome.runtime.MessageSender} sender
 * @returns {{ request: Mettri.StampedRequest, text: boolean } | { invalid: true, text: boolean } | null} null: not ours, never answered
 */
export function stampRequest(request, sender) {
  const source = classifySender(sender);
  if (source !== "page" && source !== "content") return null;
  const text = typeof request === "string";
  let body = request;
  if (text) {
    try {
      body = JSON.parse(/** @type {string} */ (request));
    } catch {
      return { invalid: true, text };
    }
  }
  if (typeof body !== "object" || body === null) return { invalid: true, text };
  const tab_id = source === "content" ? (sender.tab?.id ?? null) : null;
  return { request: /** @type {Mettri.StampedRequest} */ ({ ...body, source, tab_id }), text };
}

/**
 * A reply in the encoding its request came in (JSON text for text).
 * @param {unknown} reply
 * @param {boolean} text
 */
export function encodeReply(reply, text) {
  return text && typeof reply !== "string" ? JSON.stringify(reply) : reply;
}
