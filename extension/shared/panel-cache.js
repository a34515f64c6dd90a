// @ts-check
// Where the side panel's last known chat list is kept (background/panel-cache.js writes it, the
// side panel reads it while the core starts), and how a read checks what it got.
export const PANEL_CACHE = "mettri.panelCache";
export const PANEL_CACHE_VERSION = 1;

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
