// @ts-check
// The side panel's first paint: the last known chat list (background/panel-cache.js), drawn as soon
// as this small module graph is in, without waiting for the rest of the panel's modules (the views,
// the card, search...), which the page only runs once all of them are loaded (issue 16, target 2).
// sidepanel.html loads it `async`; sidepanel.js imports it too (one instance) and takes the rows over.
import { renderChats } from "./chat-views.js";
import { byId, t } from "./dom.js";
import { readCardCache, readPanelCache } from "../../shared/panel-cache.js";

/** @typedef {Mettri.records.ChatRecord} Chat */

/** @type {((chat: Chat) => void) | null} the panel's own "open this chat", once it runs */
let opener = null;
/** @type {Chat | null} a cached row clicked before the panel ran: opened when it does */
let clicked = null;
let fresh = false; // the core's list was drawn: the copy is never drawn over it

/** The core's own list is drawn (or about to be): the cached copy stays away. */
export function freshDrawn() {
  fresh = true;
}

/** The panel's "open this chat" for rows drawn from the copy; a click that came first is replayed. @param {(chat: Chat) => void} open */
export function takeOver(open) {
  opener = open;
  if (clicked) open(clicked);
  clicked = null;
}

/** Resolves with the number of cached chats drawn (0: none, or the core's list came first). */
export const cachedPainted = paint();
// The last known card is asked for now, read while the rest of the panel loads: the "Cliente" tab
// (card-view.js) draws it if it is shown before the core answers.
const earlyCard = readCardCache();

/** The last known card: the one read at the panel's start while the core has not answered yet, a
 * new read after (the worker keeps the copy up to date; it may be of another chat by then). */
export function cachedCard() {
  return fresh ? readCardCache() : earlyCard;
}

async function paint() {
  const chats = await readPanelCache();
  if (document.readyState === "loading") {
    await new Promise((done) => document.addEventListener("readystatechange", done, { once: true }));
  }
  if (!chats || fresh) return 0;
  renderChats(chats, (chat) => (opener ? opener(chat) : (clicked = chat)));
  byId("chat-list").dataset.cached = "1";
  const updating = byId("chats-updating");
  updating.textContent = t("chatsUpdating");
  updating.hidden = false;
  document.body.dataset.cachedPainted = String(chats.length); // tests and scripts/bench_panel.py read it
  performance.mark("mettri-cached-list");
  return chats.length;
}
