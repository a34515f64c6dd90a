// @ts-check
// Side panel: core state, captured chats, and the messages of the open chat,
// refreshed live from the core's events.
import { renderBoot } from "./boot-view.js";
import { afterPaint, firstVisibleRow, prependMessages, putRowBack, renderChats, renderMessages } from "./chat-views.js";
import { mountBackfill, mountScan } from "./history-controls.js";
import { views } from "./views.js";
import { api, byId, onEvent } from "./dom.js";
import { cachedPainted, freshDrawn, takeOver } from "./first-paint.js";
import { storageAlert } from "./storage-alert.js";

MettriI18n.apply();

// Events after which the chat list and the open chat are drawn again.
/** @type {ReadonlySet<Mettri.EventName>} */
const REFRESH_ON = new Set(["messages.captured", "messages.imported"]);

const FIRST_CHATS = 40; // three screens of the panel
const FIRST_MESSAGES = 40; // an open chat's newest bubbles: three screens of the panel
const OLDER_MESSAGES = 100; // asked for each time the user scrolls up to the top of the drawn ones
const MAX_MESSAGES = 1000; // the core's limit for one answer
const NEW_ROOM = 20; // a redraw of the open chat asks for this many beyond the drawn ones: the new ones
const MORE_CHATS = 100; // asked for each time the user scrolls to the end of the list
const MAX_CHATS = 5000; // the core's limit for one answer; the rest are found by search
const REACH_PX = 600; // the next rows are asked for when the list's end is this close below the screen
/** @type {Mettri.records.ChatRecord | null} */
let openChat = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let refreshTimer = null;
let drawnFresh = false; // the core answered once: the cached list is never drawn over it
let wantChats = FIRST_CHATS; // rows the user has scrolled to: what a redraw asks the core for
let allChats = false; // the last answer held every chat: scrolling to the end asks for no more
let loadingMore = false;
/** @type {{ ts: number, seq: number } | null} where the open chat's older messages start (null: none older) */
let olderCursor = null;
let loadingOlder = false;
let messagesTurn = 0; // the open chat's draws: an older page asked for before one is not put above it
const backfill = mountBackfill(byId("backfill-controls"));
mountScan(byId("scan-controls"), () => refresh());

let asked = 0; // refreshes started
let drawnTurn = 0; // the newest refresh whose answer was drawn

async function refresh() {
  // Answers can come back out of order when the core is busy: an older one never draws over a
  // newer one (while a newer one still waiting does not hold it back).
  const turnNo = ++asked;
  const stale = () => {
    if (turnNo < drawnTurn) return true;
    drawnTurn = turnNo;
    return false;
  };
  try {
    if (openChat) {
      // Only what is on screen is asked for and drawn: the chat list under an open chat is hidden,
      // and drawing its rows doubled the time to show the chat (scripts/bench_scale.py). The newest
      // 40 messages, oldest first as in WhatsApp; older pages come as the user scrolls up to them
      // (olderMessages). A redraw of the same chat (a message arrived) keeps the older pages read
      // so far: it asks for what is drawn and room for the new ones, and keeps what is not older.
      const chat = openChat;
      const list = byId("message-list");
      const drawn = list.dataset.chat === chat.key ? list.children.length : 0; // renderMessages names the chat drawn
      const limit = Math.min(MAX_MESSAGES, drawn ? drawn + NEW_ROOM : FIRST_MESSAGES);
      const [page, health] = await Promise.all([
        api.messages.list({ chat: chat.key, limit, newest_first: true }),
        api.capture.health({ chat: chat.key }),
      ]);
      if (chat !== openChat || stale()) return;
      const from = drawn ? olderCursor : null; // the oldest message drawn
      const kept = from ? page.messages.filter((m) => (m.ts ?? -Infinity) > from.ts || (m.ts === from.ts && m.seq >= from.seq)) : page.messages;
      messagesTurn += 1;
      renderMessages(chat, [...kept].reverse(), health.chats[0]);
      if (kept.length === page.messages.length) olderCursor = cursorOf(page);
      afterPaint(olderMessages); // a short page may not fill the screen: the next one at once
      return;
    }
    // Only the rows the user has scrolled to: redrawn up to 4 times a second while capturing, and
    // each row costs the core time (500 rows cost ~10x a round trip, scripts/bench_scale.py).
    const limit = wantChats;
    const { chats } = await api.chats.list({ limit, with_scanned: true });
    if (openChat || stale()) return; // a chat was opened meanwhile: the list is drawn when the user comes back
    // The list's end still within reach once drawn (the user scrolled on while it was drawn, or it
    // came back shorter): the next rows at once, as the scroll there would have asked.
    renderChats(chats, show, () => {
      listDrawn();
      afterPaint(() => inReach(byId("chat-list-end")) && more());
    });
    allChats = chats.length < limit;
    drawnFresh = true;
    freshDrawn();
    delete byId("chat-list").dataset.cached;
    byId("chats-updating").hidden = true;
  } catch (err) {
    console.warn("mettri: refresh failed", err);
  }
}

/** @param {Mettri.capture.MessageList} page @returns {{ ts: number, seq: number } | null} */
function cursorOf(page) {
  const { next_cursor_ts: ts, next_cursor_seq: seq } = page;
  return ts === null || ts === undefined || seq === null || seq === undefined ? null : { ts, seq };
}

/** The open chat's top came within reach of the screen: the page of messages before the drawn ones. */
async function olderMessages() {
  const chat = openChat;
  const cursor = olderCursor;
  if (!chat || !cursor || loadingOlder || !inReach(byId("message-list-start"))) return;
  loadingOlder = true;
  const turn = messagesTurn;
  try {
    const page = await api.messages.list({ chat: chat.key, limit: OLDER_MESSAGES, newest_first: true,
      cursor_ts: cursor.ts, cursor_seq: cursor.seq });
    if (chat !== openChat) return;
    // Drawn again meanwhile (a message arrived): this page is dropped and asked again below from
    // the new draw's cursor. The draw's own ask found this one on its way and returned, and the
    // observer does not fire again while the top stays in reach: without this the older messages
    // never came until the user scrolled away and back.
    if (turn === messagesTurn) {
      prependMessages([...page.messages].reverse());
      olderCursor = cursorOf(page);
    }
  } catch (err) {
    console.warn("mettri: older messages not read", err);
    return;
  } finally {
    loadingOlder = false;
  }
  afterPaint(olderMessages);
}

/** Whether an element is shown, within REACH_PX of the panel's visible area. @param {HTMLElement} marker */
function inReach(marker) {
  if (marker.offsetParent === null) return false; // in a hidden view (another tab, or the list)
  const view = byId("views").getBoundingClientRect();
  const box = marker.getBoundingClientRect();
  return box.bottom >= view.top - REACH_PX && box.top <= view.bottom + REACH_PX;
}

/** After the user scrolled back up: the rows within reach of the screen (and of the scroll that
 *  asks for more, twice over, so that it is not set off again), in the steps they were asked in. */
function chatsInReach() {
  const views = byId("views");
  const list = byId("chat-list");
  const rows = list.children.length;
  if (byId("chats-view").hidden || !rows) return wantChats;
  const listTop = list.getBoundingClientRect().top - views.getBoundingClientRect().top + views.scrollTop;
  const reach = views.scrollTop + views.clientHeight + 2 * REACH_PX - listTop;
  const needed = Math.ceil(reach / (list.scrollHeight / rows));
  return FIRST_CHATS + MORE_CHATS * Math.max(0, Math.ceil((needed - FIRST_CHATS) / MORE_CHATS));
}

// The end of the list came into view: the next rows.
async function more() {
  if (loadingMore || allChats || openChat || !drawnFresh || wantChats >= MAX_CHATS || byId("chats-view").hidden) return;
  loadingMore = true;
  wantChats = Math.min(MAX_CHATS, wantChats + MORE_CHATS);
  byId("chats-more").hidden = false;
  await refresh();
  byId("chats-more").hidden = true;
  loadingMore = false;
}
// Asked for a screen before the user reaches the end (of the panel's scrolling main), so scrolling rarely waits.
new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && more(), { root: byId("views"), rootMargin: `0px 0px ${REACH_PX}px 0px` })
  .observe(byId("chat-list-end"));
new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && olderMessages(), { root: byId("views"), rootMargin: `${REACH_PX}px 0px 0px 0px` })
  .observe(byId("message-list-start"));

// Many events can arrive in a burst while capturing: redraw at most 4 times a second.
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    // A redraw the user did not ask for keeps only what is within reach: after a scroll far down
    // and back up, capture's redraws ask for the first screens again, not for every row seen.
    wantChats = Math.min(wantChats, chatsInReach());
    refresh();
  }, 250);
}

/** What the panel's one scrolling area shows: a tab, or the conversation open in the chats tab. */
function screenShown() {
  if (!byId("chat-view").hidden) return "chat";
  const tab = /** @type {HTMLElement | null} */ (document.querySelector('.tabs [aria-selected="true"]'));
  return tab?.dataset.view ?? "chats";
}
/** @type {Map<string, number>} */
const scrollOf = new Map();
/** @type {{ key?: string, offset: number } | null} the chat list's first row on screen when the user left it */
let leftAt = null;
let anchorPending = false; // put the list back again after the draw that follows a return, unless the user scrolled
/** Around a change of screen: where the user was is kept, and where they were on the screen shown
 *  is put back. Back from a chat, the list is where they left it, as in WhatsApp (and a redraw asks
 *  only for the rows within reach, not for the next ones because the list came back scrolled down).
 *  The list is put back by its rows, not by the scroll offset alone: the offset was cut short when
 *  the list was shorter for a moment, or content above it changed height while it was hidden.
 *  @param {() => void} change @param {boolean} restore false: a chat just opened scrolls itself to its newest bubble */
function switchScreen(change, restore) {
  const views = byId("views");
  const list = byId("chat-list");
  const was = screenShown();
  scrollOf.set(was, views.scrollTop);
  if (was === "chats") leftAt = firstVisibleRow(list, "chat");
  change();
  if (!restore) return;
  views.scrollTop = scrollOf.get(screenShown()) ?? 0;
  anchorPending = screenShown() === "chats" && leftAt !== null;
  if (anchorPending && leftAt) putRowBack(list, "chat", leftAt);
}
// The user moved the list: where they left it no longer counts.
for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) {
  byId("views").addEventListener(type, () => { anchorPending = false; }, { passive: true });
}
/** A draw of the list is complete: the list is put back where the user left it, once. */
function listDrawn() {
  if (anchorPending && leftAt && !byId("chats-view").hidden) putRowBack(byId("chat-list"), "chat", leftAt);
  anchorPending = false;
}

/** @param {Mettri.records.ChatRecord | null} chat */
function show(chat) {
  switchScreen(() => {
    openChat = chat;
    // A chat opened (or opened again) starts from its newest page.
    olderCursor = null;
    delete byId("message-list").dataset.chat;
    backfill.setChat(chat ? chat.key : null);
    byId("chats-view").hidden = !!chat;
    byId("chat-view").hidden = !chat;
  }, !chat);
  refresh();
}

// Tabs: the chats view is built in; other views mount themselves once, when first shown.
const mounted = new Set();
/** @param {string} name */
function showView(name) {
  switchScreen(() => switchTab(name), true);
  // After the scroll is put back: a view that focuses a box on show keeps it in sight.
  const view = name in views ? views[/** @type {keyof typeof views} */ (name)] : null;
  if (view && "shown" in view) view.shown();
}
/** @param {string} name */
function switchTab(name) {
  for (const tab of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".tabs [data-view]"))) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === name));
  }
  for (const section of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("#views > .view"))) {
    section.hidden = section.id !== `${name}-view`;
  }
  // A conversation open in the panel belongs to the chats tab: hidden under the others, back on return.
  const chatView = byId("chat-view");
  if (name !== "chats" && !chatView.hidden) {
    chatView.hidden = true;
    chatView.dataset.wasOpen = "1";
  } else if (name === "chats" && chatView.dataset.wasOpen) {
    delete chatView.dataset.wasOpen;
    chatView.hidden = false;
    byId("chats-view").hidden = true;
  }
  for (const [other, v] of Object.entries(views)) {
    if (other !== name && mounted.has(other) && "hidden" in v) v.hidden();
  }
  const view = name in views ? views[/** @type {keyof typeof views} */ (name)] : null;
  if (view && !mounted.has(name)) {
    mounted.add(name);
    view.mount(byId(`${name}-view`));
  }
}
// A CRM search hit shows its record in the "Cliente" tab.
document.addEventListener("mettri:show-record", (e) => {
  views.card.showRecord(/** @type {CustomEvent<string>} */ (e).detail);
  showView("card");
});
for (const tab of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".tabs [data-view]"))) {
  tab.addEventListener("click", () => showView(tab.dataset.view ?? ""));
}
Object.assign(globalThis, { mettriShowView: showView }); // for tests and DevTools

byId("back").addEventListener("click", () => show(null));
byId("boot-retry").addEventListener("click", () => MettriCore.restartCore());

onEvent((envelope) => {
  storageAlert(envelope);
  if (envelope.event === "core.boot") {
    renderBoot(envelope.data);
    if (envelope.data.stage === "ready") refresh();
  } else if (REFRESH_ON.has(envelope.event)) {
    scheduleRefresh();
  }
});

async function start() {
  // The last known chat list is drawn by first-paint.js before the core is even asked (the panel is
  // useful at once after a browser start, and says the list is being updated); its rows open chats here.
  await cachedPainted;
  takeOver(show);
  await MettriCore.ensureCore();
  const reply = await api.core.boot_state.request({}, { timeoutMs: 10_000 });
  renderBoot(reply.ok ? reply.result : { stage: "starting" });
  if (reply.ok && reply.result.stage === "ready") refresh();
}
start();
