// @ts-check
// A write the browser refused (a full disk, a closed database) is said in the panel until a later
// write goes through: capture and the other background work keep what they hold and try again on
// their own, so nothing else would tell the user that nothing new is being saved.
import { byId } from "./dom.js";

// Events the core sends after a write of its own went through.
/** @type {ReadonlySet<Mettri.EventName>} */
const WRITTEN = new Set(["messages.captured", "messages.imported", "crm.changed", "outbox.changed", "templates.changed"]);

/** @param {Mettri.Event} envelope */
export function storageAlert(envelope) {
  if (envelope.event === "storage.error") byId("storage-alert").hidden = false;
  else if (WRITTEN.has(envelope.event)) byId("storage-alert").hidden = true;
}
