// @ts-check
// The "Cliente" tab: the CRM card of the conversation open in WhatsApp Web. It follows the
// core's capture (capture.chat_opened): switching chats in WhatsApp switches the card.
// A CRM search hit shows its record here until WhatsApp opens another chat.
import { createCard, keysHelp } from "../crm/card/card.js";
import { el, t } from "./dom.js";
import { cachedCard } from "./first-paint.js";

/** Timings of the last switches (event heard -> card drawn), for the benchmark and tests. */
const timings = /** @type {{ chat: string, heard: number, drawn: number }[]} */ ([]);
/** @type {ReturnType<typeof createCard> | null} */
let card = null;
/** @type {HTMLElement | null} */
let note = null;
/** @type {HTMLElement | null} "updating" while the card drawn is the worker's copy */
let updating = null;
/** @type {HTMLElement | null} the card's element: `data-cached` while it shows the copy */
let host = null;
let visible = false;
/** @type {string | null} the chat WhatsApp shows (the core's key) */
let openInWhatsApp = null;
/** @type {string | null} what the card was asked to show last */
let wanted = null;

/** @param {string | null} chat @param {number} heard performance.now() when the switch was heard */
async function follow(chat, heard) {
  wanted = chat;
  if (!card || !visible) return; // drawn when the tab is shown
  try {
    await card.show(chat);
  } catch (err) {
    console.warn("mettri: card", err);
    return;
  }
  // The copy may have been drawn meanwhile (it is read as the panel starts): still updating then.
  if (updating) updating.hidden = !host?.dataset.cached;
  if (chat && wanted === chat) {
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    timings.push({ chat, heard, drawn: performance.now() });
    if (timings.length > 200) timings.shift();
  }
}

/** @param {HTMLElement} root */
export function mount(root) {
  note = el("p", { class: "meta follows", id: "crm-follows" }, t("card_followsWhatsApp"));
  host = el("div", { id: "crm-card" });
  updating = el("p", { class: "meta", id: "crm-card-updating", role: "status", hidden: true }, t("card_updating"));
  root.replaceChildren(note, updating, host, keysHelp());
  card = createCard(host, { followsWhatsApp: true });
  // The last known card at once (the core may still be starting), read-only until the core answers.
  cachedCard().then((copy) => {
    if (!copy || !card?.paintCached(copy)) return;
    if (updating) updating.hidden = false;
    document.body.dataset.cachedCard = copy.card.row.key; // tests and scripts/bench_panel.py read it
    performance.mark("mettri-cached-card");
  });
  document.addEventListener("keydown", (e) => visible && card?.onKey(e));
  MettriCore.onEvent((e) => {
    if (e.event === "capture.chat_opened") {
      openInWhatsApp = e.data.chat;
      if (note) note.textContent = t("card_followsWhatsApp");
      follow(e.data.chat, performance.now());
    }
  });
  MettriApi.capture.open_chat({}).then((now) => {
    if (wanted === null) {
      openInWhatsApp = now.chat;
      follow(now.chat, performance.now());
    }
  }, () => follow(null, performance.now()));
}

export function shown() {
  visible = true;
  follow(wanted ?? openInWhatsApp, performance.now());
}

export function hidden() {
  visible = false;
}

/** Show a record found elsewhere (a CRM search hit) until WhatsApp opens another chat. @param {string} key */
export function showRecord(key) {
  if (note) note.textContent = t("card_showingRecord");
  wanted = key;
}

Object.assign(globalThis, { mettriCard: { timings, current: () => card?.current() ?? null } });
