// @ts-check
// Where the side panel's last known chat list and open chat's card are kept (background/panel-cache.js
// writes them, the side panel reads them while the core starts), and how a read checks what it got.
export const PANEL_CACHE = "mettri.panelCache";
export const PANEL_CACHE_VERSION = 1;
export const CARD_CACHE = "mettri.panelCard";
export const CARD_CACHE_VERSION = 1;

/** @typedef {{ chat: string, card: Mettri.crm.CrmCard, defs: Mettri.crm.CrmDefs }} CachedCard */

/**
 * The cached chats, or null when there is none or it is not in this version's shape (written by
 * an older Mettri, or damaged): then the panel just waits for the core.
 * @returns {Promise<Mettri.records.ChatRecord[] | null>}
 */
export async function readPanelCache() {
  const got = await chrome.storage.local.get(PANEL_CACHE).catch(() => ({}));
  const cache = /** @type {any} */ (got)[PANEL_CACHE];
  if (!cache || cache.v !== PANEL_CACHE_VERSION || !Array.isArray(cache.chats)) return null;
  const ok = cache.chats.every((/** @type {any} */ c) => c && typeof c.key === "string" && typeof c.title === "string");
  return ok ? cache.chats : null;
}

/**
 * The card of the chat that was open in WhatsApp, with the CRM definitions it was drawn with; null
 * when there is none or it is not in this version's shape (the card then waits for the core).
 * @returns {Promise<CachedCard | null>}
 */
export async function readCardCache() {
  const got = await chrome.storage.local.get(CARD_CACHE).catch(() => ({}));
  const cache = /** @type {any} */ (got)[CARD_CACHE];
  if (!cache || cache.v !== CARD_CACHE_VERSION || typeof cache.chat !== "string") return null;
  const { card, defs } = cache;
  const ok = card && card.row && typeof card.row.key === "string" && Array.isArray(card.notes) && Array.isArray(card.reminders)
    && Array.isArray(card.chats) && defs && Array.isArray(defs.tags) && Array.isArray(defs.pipelines) && Array.isArray(defs.fields)
    && defs.settings && typeof defs.settings === "object";
  return ok ? { chat: cache.chat, card, defs } : null;
}
