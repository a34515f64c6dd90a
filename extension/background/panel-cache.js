// @ts-check
// The side panel's last known chat list and the card of the chat open in WhatsApp, so the panel
// paints them at once after a browser start while the core is still booting (drawn as "updating"
// until the core answers). The worker keeps them up to date from the core (the list after captures,
// imports and links, at most every few seconds; the card when another chat opens or its record or the
// CRM's definitions change) in chrome.storage.local, and drops both the moment data is erased: a
// read-only copy of what the core already said, never a source of truth, and never sent anywhere.
import { CARD_CACHE, CARD_CACHE_VERSION, PANEL_CACHE, PANEL_CACHE_VERSION } from "../shared/panel-cache.js";

const EVERY_MS = 3000;
const CHATS = 50; // a screenful and a scroll; the rest comes from the core
/** @type {ReadonlySet<string>} */
const STALE_AFTER = new Set(["messages.captured", "messages.imported", "chats.linked"]);

const CARD_EVERY_MS = 500; // a burst of card writes is cached once
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let cardTimer = null;
let cardDue = 0; // when the pending card refresh runs (Date.now() terms)
/** @type {string[]} every key of the cached card's person (crm.changed names any of them) */
let cardKeys = [];

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

async function refreshCard() {
  cardTimer = null;
  try {
    const { chat } = await MettriApi.capture.open_chat({});
    if (!chat) return; // no chat known yet: the last card stays the best guess
    const [card, defs] = await Promise.all([MettriApi.crm.card({ chat, notes: 20 }), MettriApi.crm.defs({})]);
    cardKeys = [card.row.key, ...card.chats];
    await chrome.storage.local.set({ [CARD_CACHE]: { v: CARD_CACHE_VERSION, chat, card, defs, at: Date.now() } });
  } catch {
    // The core is busy or restarting: the next change asks again.
  }
}

/** A refresh at most ms from now; a sooner request (another chat opened) moves a later one up. @param {number} [ms] */
function scheduleCard(ms = CARD_EVERY_MS) {
  const due = Date.now() + ms;
  if (cardTimer && cardDue <= due) return;
  if (cardTimer) clearTimeout(cardTimer);
  cardDue = due;
  cardTimer = setTimeout(refreshCard, ms);
}

/** @param {Mettri.Event} e */
function touchesCard(e) {
  if (e.event === "capture.chat_opened") return true;
  if (e.event !== "crm.changed") return false;
  return e.data.defs || e.data.many || e.data.keys.some((k) => cardKeys.includes(k));
}

/** The core's events the worker hears (service-worker.js passes each broadcast). @param {Mettri.Event} e */
export function onCoreEvent(e) {
  if (e.event === "privacy.erased") {
    for (const t of [timer, cardTimer]) if (t) clearTimeout(t);
    timer = cardTimer = null;
    cardKeys = [];
    chrome.storage.local.remove([PANEL_CACHE, CARD_CACHE]).then(() => (schedule(), scheduleCard()), () => undefined);
  } else if (e.event === "core.boot" && e.data.stage === "ready") {
    schedule();
    scheduleCard();
  } else if (STALE_AFTER.has(e.event)) {
    schedule();
  } else if (touchesCard(e)) {
    // New messages in the open chat (activity only) come many a second while capturing: the copy
    // follows them at the list's pace, not once per burst of writes.
    scheduleCard(e.event === "crm.changed" && e.data.activity_only ? EVERY_MS : CARD_EVERY_MS);
  }
}
