// @ts-check
// Which of the core's events reach WhatsApp tabs: those the content script hears, as the protocol
// lists them (pycore: @event(..., tabs=True)). The others would cost WhatsApp's main thread a copy
// each, by the worker's relay and on the tab's line, for nothing (messages.captured: one per batch).

/**
 * @param {string} name an event's wire name
 */
export function forTabs(name) {
  return /** @type {readonly string[]} */ (MettriProtocol.tab_events).includes(name);
}
