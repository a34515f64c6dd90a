// @ts-check
// The extension pages' own line to the core worker (issue 16, targets 3 and 6). A page's request
// through chrome.runtime crosses the browser process and then waits for the offscreen document's
// main thread, which the side panel and the other pages share; on this line it reaches the core's
// thread directly (a round trip about a quarter as long, measured in bench_bridge.py).
//
// Who can post here: a BroadcastChannel joins only contexts of one origin, this extension's. The
// content script runs in WhatsApp's origin, web pages and other extensions in theirs: none of them
// can reach this channel, so every request on it comes from one of Mettri's own pages and is
// stamped "page" here, whatever it claims (the content script keeps chrome.runtime, whose sender
// the document checks).
// While it answers, the worker holds a Web Lock: a page waiting for that lock learns the moment
// the worker is gone (its document closed). What the worker had taken ("took", said before it runs
// anything) fails, as a closed document fails a runtime request; what it never took goes again by
// chrome.runtime, which is what the page uses until a new worker says it is up.

export const LINE = "mettri-core";
export const LINE_LOCK = "mettri-core-line";
const MAX_PAGES = 64; // reply channels kept open (pages that left are dropped first)

/**
 * A request as the core takes it: stamped as a page's. Text that is no request still goes to the
 * core, as an envelope without id or type, so the core's own error reply (invalid_message) answers it.
 * @param {string} json
 */
export function stampPageRequest(json) {
  let body;
  try {
    body = JSON.parse(json);
  } catch {
    body = null;
  }
  const request = typeof body === "object" && body !== null && !Array.isArray(body) ? body : {};
  return JSON.stringify({ ...request, source: "page", tab_id: null });
}

/**
 * Answer the pages on the line; resolves once the worker holds the lock and has said it is up.
 * @param {(json: string) => Promise<string>} handle the core: JSON text in, JSON text out
 */
export async function openPageLine(handle) {
  await new Promise((held) =>
    navigator.locks.request(LINE_LOCK, () => {
      held(null);
      return new Promise(() => {}); // held for the worker's life
    }),
  );
  const line = new BroadcastChannel(LINE);
  /** @type {Map<string, BroadcastChannel>} page id -> its reply channel, least recently used first */
  const pages = new Map();
  /** @param {string} page */
  const replyTo = (page) => {
    let out = pages.get(page);
    if (out) pages.delete(page);
    else out = new BroadcastChannel(`${LINE}:${page}`);
    pages.set(page, out);
    if (pages.size > MAX_PAGES) {
      const [oldest, channel] = /** @type {[string, BroadcastChannel]} */ (pages.entries().next().value);
      channel.close();
      pages.delete(oldest);
    }
    return out;
  };
  line.onmessage = async (e) => {
    const m = e.data;
    if (!m || typeof m !== "object" || typeof m.from !== "string" || !m.from) return;
    const out = replyTo(m.from);
    if (m.kind === "hello") out.postMessage({ kind: "up" });
    if (m.kind !== "request" || typeof m.id !== "string" || typeof m.json !== "string") return;
    out.postMessage({ kind: "took", id: m.id }); // from here the request may run: never sent again
    try {
      out.postMessage({ kind: "reply", id: m.id, json: await handle(stampPageRequest(m.json)) });
    } catch (err) {
      out.postMessage({ kind: "reply", id: m.id, error: String((err && /** @type {Error} */ (err).message) || err) });
    }
  };
  line.postMessage({ kind: "up" }); // pages open before this worker started switch over now
}
