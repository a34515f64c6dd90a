// @ts-check
// Service worker: makes the offscreen document (the Python core) and relays requests to it when the
// WhatsApp tab or a page finds none (they talk to it directly otherwise, on their lines); relays the
// core's events to WhatsApp tabs. It holds no state that matters: Chrome may stop it at any time,
// and every message it relays can be retried by its sender.

import "./start-core.js"; // first: the core starts early so it is warm when WhatsApp's page sends its first batch
import "../shared/protocol.js"; // MettriProtocol: the envelope builders
import { classifySender, encodeReply, stampRequest } from "./sender-check.js";
import { ensureOffscreen, closeOffscreen } from "./offscreen-manager.js";
import { forwardToCore, relayEventToTabs } from "./router.js";
import { check as checkReminders, onCoreEvent as remindersHear } from "./reminders.js";
import { onCoreEvent as panelCacheHears } from "./panel-cache.js";
import { check as checkSchedule, onCoreEvent as scheduleHears } from "./schedule.js";
import { readModelKey } from "../shared/model-key.js";

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => undefined);
});

chrome.runtime.onMessage.addListener((/** @type {Mettri.Message} */ message, sender, sendResponse) => {
  if (!message || typeof message !== "object") return false;
  const source = classifySender(sender);
  if (source === null) return false; // not ours: never answered

  switch (message.to) {
    case "core": {
      // The relay: pages and the content script message the core directly ("core-direct", the
      // offscreen document checks them with the same rule) and come here when no document
      // answered, so the worker creates or recreates it.
      const stamped = stampRequest(message.request, sender);
      if (stamped === null) return false; // the offscreen document itself, or not ours
      if ("invalid" in stamped) {
        sendResponse(encodeReply(MettriProtocol.errorReply(null, "invalid_message", "request must be an object"), stamped.text));
        return false;
      }
      const { request, text } = stamped;
      forwardToCore(request, text).then(sendResponse, (err) =>
        sendResponse(encodeReply(MettriProtocol.errorReply(request.id ?? null, "internal_error", String(err)), text)),
      );
      return true;
    }
    case "broadcast": // an event from the core; pages hear it directly
      if (source === "offscreen" && message.envelope) {
        relayEventToTabs(message.envelope, message.key, Array.isArray(message.lines) ? message.lines : []);
        remindersHear(message.envelope);
        panelCacheHears(message.envelope);
        scheduleHears(message.envelope);
      }
      return false;
    case "sw":
      if (message.kind === "model_key") {
        // Only the offscreen document's model request gets the key (extension/offscreen/host.js).
        if (source !== "offscreen") return false;
        readModelKey().then((key) => sendResponse({ key }), () => sendResponse({ key: "" }));
        return true;
      }
      if (source !== "page") return false;
      if (message.kind === "ensure_core") {
        ensureOffscreen().then((created) => sendResponse({ ok: true, created }));
        return true;
      }
      if (message.kind === "restart_core") {
        closeOffscreen().then(ensureOffscreen).then(() => sendResponse({ ok: true }));
        return true;
      }
      return false;
    default:
      return false;
  }
});

// Reminders that came due while the browser was closed are shown now; the alarm is set again.
checkReminders();
checkSchedule(); // and the alarm of the next scheduled message
