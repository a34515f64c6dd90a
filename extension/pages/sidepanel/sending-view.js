// @ts-check
// The "Envios" / "Sending" tab: pause state, campaigns, scheduled messages, outbox, audit log.
// Each part is a small module in ./sending/; mount() builds them in order.
import * as audit from "./sending/audit-section.js";
import * as campaign from "./sending/campaign-section.js";
import * as outbox from "./sending/outbox-section.js";
import * as schedule from "./sending/schedule-section.js";
import * as status from "./sending/status-section.js";

/** @param {HTMLElement} root */
export function mount(root) {
  root.textContent = "";
  const parts = [status, campaign, schedule, outbox, audit].map((part) => part.mount(root));
  return Promise.all(parts).catch((err) => console.error("mettri: sending view", err));
}
