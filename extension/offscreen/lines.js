// @ts-check
// Lines: a port each page and each WhatsApp tab's content script holds open to this document
// (chrome.runtime.connect, name LINE_NAME). A request on a line skips what chrome.runtime.sendMessage
// does for every message (open a channel, offer it to every context, close it): a round trip here
// falls from about 1.7 to 0.7 ms (issue 16, target 3). Each request is checked and stamped from the
// port's sender by the worker's own rule (stampRequest), message by message.
// Every line also gets the core's events, in order with its replies: a reply never overtakes the
// event its own write caused. A WhatsApp tab's line gets only the events its content script hears.
// Every event keeps going out as the runtime broadcast too (pages without a line yet, the worker,
// and by the worker's relay the WhatsApp tabs without a line, again only what they hear), with the
// same key, so a client that hears it twice keeps the first (core-client.js).
// Only this document listens for connections. Chrome offers a port to every context that listens;
// one of them disconnecting closes it for all, and while one still holds it the port stays open
// after the others are gone. So a line must have this document as its only end.

import { classifySender, encodeReply, stampRequest } from "../background/sender-check.js";
import { forTabs } from "../shared/tab-events.js";

export const LINE_NAME = "mettri-core";

/**
 * @param {(request: Mettri.StampedRequest, text: boolean, reply: (reply: unknown) => void) => unknown} answer
 *   how this document answers a stamped request (main.js): calls `reply` once, with the reply
 *   already in the request's encoding
 */
export function makeLines(answer) {
  /** @type {Map<chrome.runtime.Port, "page" | "content">} the lines served now, by who holds them: each hears the events */
  const served = new Map();

  /** @param {chrome.runtime.Port} port @param {unknown} message */
  function post(port, message) {
    try {
      port.postMessage(message);
    } catch {
      served.delete(port); // its page is gone; Chrome tells onDisconnect too
    }
  }

  /**
   * Take a port Chrome offers this document, or refuse it.
   * @param {chrome.runtime.Port} port
   * @returns {boolean} whether it is a line this document now serves
   */
  function accept(port) {
    if (port.name !== LINE_NAME) return false;
    const sender = /** @type {chrome.runtime.MessageSender} */ (port.sender);
    const source = classifySender(sender);
    if (source !== "page" && source !== "content") {
      port.disconnect();
      return false;
    }
    port.onMessage.addListener((/** @type {Mettri.LineMessage} */ message) => {
      if (!message || typeof message !== "object" || !("request" in message)) return;
      const stamped = stampRequest(message.request, sender);
      if (stamped === null) return; // cannot happen for an accepted sender; never answered if it does
      if ("invalid" in stamped) {
        const refusal = MettriProtocol.errorReply(null, "invalid_message", "request must be an object");
        post(port, { id: null, reply: encodeReply(refusal, stamped.text) });
        return;
      }
      const id = typeof stamped.request.id === "string" ? stamped.request.id : null;
      answer(stamped.request, stamped.text, (reply) => post(port, { id, reply }));
    });
    served.set(port, source);
    port.onDisconnect.addListener(() => served.delete(port));
    post(port, { hello: true }); // the line is served: the client sends on it from now on
    return true;
  }

  /**
   * An event to every page's line, and to the WhatsApp tabs' lines if they hear it (the caller
   * broadcasts it too, with the same key).
   * @param {Mettri.Event} envelope
   * @param {string} key unique to this event
   * @returns {number[]} the tabs whose content script got it on its line: the worker's relay skips them
   */
  function publish(envelope, key) {
    const tabs = forTabs(envelope.event);
    /** @type {number[]} */
    const onLine = [];
    for (const [port, source] of served) {
      if (source === "content" && !tabs) continue;
      post(port, { event: envelope, key });
      const tabId = source === "content" && served.has(port) ? port.sender?.tab?.id : undefined; // still served: posted
      if (tabId != null) onLine.push(tabId);
    }
    return onLine;
  }

  return { accept, publish };
}
