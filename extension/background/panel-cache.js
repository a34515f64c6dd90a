// @ts-check
// The side panel's last known chat list, so the panel paints it at once after a browser start
// while the core is still booting (drawn as "updating" until the core answers). The worker keeps
// it up to date from the core after captures, imports and links (at most every few seconds) in
// chrome.storage.local, and drops it the moment data is erased: a read-only copy of what the core
// already said, never a source of truth, and never sent anywhere.
import { PANEL_CACHE, PANEL_CACHE_VERSION } from "../shared/panel-cache.js";

const EVERY_MS = 3000;
const CHATS = 50; // a screenful and a scroll; the rest comes from the core
/** @type {ReadonlySet<string>} */
const STALE_AFTER = new Set(["messages.captured", "messages.imported", "chats.linked"]);

/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;

async function refresh() {
  timer = null;
  try {
    const { chats } = await MettriApi.chats.list({ limit: CHATS, with_scanned: true });
    await chrome.storage.local.set({ [PANEL_CACHE]: { v: PANEL_CACHE_VERSION, chats, at: Date.now() } });
  } catch {
    // The core is busy or restarting: the next capture asks again.
  }
}

function schedule() {
  timer ??= setTimeout(refresh, EVERY_MS);
}

/** The core's events the worker hears (service-worker.js passes each broadcast). @param {Mettri.Event} e */
export function onCoreEvent(e) {
  if (e.event === "privacy.erased") {
    if (timer) clearTimeout(timer);
    timer = null;
    chrome.storage.local.remove(PANEL_CACHE).then(schedule, () => undefined);
  } else if (STALE_AFTER.has(e.event) || (e.event === "core.boot" && e.data.stage === "ready")) {
    schedule();
  }
}
