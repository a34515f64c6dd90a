// @ts-check
// The chat list and one chat's messages. Text from WhatsApp is only ever set
// as text nodes: never parsed as HTML. Every name and message sits in its own element with
// dir="auto", isolated from what is drawn beside it: a name with a right-to-left override
// (or an Arabic or Hebrew name) never reorders the time or the label next to it.
import { byId, count, el, fmtTime, t, tn, when } from "./dom.js";

const FIRST_ROWS = 40; // drawn at once: three screens of the panel
const MORE_ROWS = 100; // then this many per task
let listDraws = 0;
/** Runs ``fn`` after the next frame is painted (a task queued from that frame's callback). @param {() => void} fn */
export const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

/** @typedef {Mettri.records.ChatRecord} Chat */

/** @type {WeakMap<Element, Chat>} the record each drawn row opens (a kept row opens the newest one) */
const rowChat = new WeakMap();

/** A row's texts, and a signature of them: a drawn row with the same signature is kept. @param {Chat} chat */
function rowTexts(chat) {
  const meta = fmtTime(chat.last_ts);
  const preview = chat.preview ?? tn("messagesCount", chat.message_count ?? 0, [count(chat.message_count ?? 0)]);
  return { meta, preview, sig: [chat.key, chat.title, chat.ambiguous ? 1 : 0, meta, preview].join("\u0000") };
}

/**
 * @param {Chat[]} chats
 * @param {(chat: Chat) => void} onOpen
 * @param {() => void} [onDrawn] once every row of this draw is in
 */
export function renderChats(chats, onOpen, onDrawn) {
  const list = byId("chat-list");
  byId("no-chats").hidden = chats.length > 0;
  /** @param {Chat} chat @param {ReturnType<typeof rowTexts>} texts */
  const row = (chat, texts) => {
    const li = el("li");
    li.tabIndex = 0;
    li.dataset.chat = chat.key;
    li.dataset.sig = texts.sig;
    li.append(
      el("span", { class: "title" }, el("bdi", {}, chat.title),
        chat.ambiguous ? el("span", { class: "badge same-name", title: t("chatAmbiguous") }, t("chatSameName")) : null),
      el("span", { class: "meta" }, texts.meta),
      el("span", { class: "preview", dir: "auto" }, texts.preview),
    );
    const open = () => onOpen(rowChat.get(li) ?? chat);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (e) => e.key === "Enter" && open());
    return li;
  };
  // A redraw (capture moved a chat or two, the user came back from a chat) keeps each drawn row
  // that would be drawn the same, and draws at once as many rows as are drawn: building rows was
  // most of a redraw's cost, and drawing fewer shrank the list under the user's scroll for a task.
  /** @type {Map<string, Element>} */
  const drawn = new Map();
  for (const li of list.children) drawn.set(/** @type {HTMLElement} */ (li).dataset.chat ?? "", li);
  /** @param {Chat} chat */
  const rowOf = (chat) => {
    const texts = rowTexts(chat);
    const kept = drawn.get(chat.key);
    const li = kept && /** @type {HTMLElement} */ (kept).dataset.sig === texts.sig ? kept : row(chat, texts);
    rowChat.set(li, chat);
    return li;
  };
  // The first screenfuls now, the rest in the next tasks: the panel shows about 12 rows, and building
  // all 500 before the first paint held the list back (scripts/bench_scale.py). A newer draw wins.
  const turn = ++listDraws;
  delete list.dataset.drawn; // set when every row of this draw is in (tests wait for it)
  const now = chats.slice(0, Math.max(FIRST_ROWS, list.children.length)).map(rowOf);
  if (now.length !== list.children.length || now.some((li, i) => li !== list.children[i])) {
    const focused = document.activeElement;
    list.replaceChildren(...now);
    // A kept row the user had focused is moved, not replaced: it keeps the focus.
    if (focused instanceof HTMLElement && focused !== document.activeElement && now.includes(focused)) focused.focus({ preventScroll: true });
  }
  /** @param {number} from */
  const more = (from) => {
    if (turn !== listDraws) return;
    if (from >= chats.length) {
      list.dataset.drawn = String(turn);
      onDrawn?.();
      return;
    }
    list.append(...chats.slice(from, from + MORE_ROWS).map(rowOf));
    setTimeout(() => more(from + MORE_ROWS), 0);
  };
  // Every row already in (a redraw of the rows the user had): done in this task, so the list is put
  // back where the user left it before it is painted, not a frame later.
  if (now.length >= chats.length) more(now.length);
  else afterPaint(() => more(now.length));
}

/** @param {Mettri.records.MessageRecord} m */
function bubble(m) {
  const li = el("li", { class: m.direction },
    m.text ? el("span", { class: "text", dir: "auto" }, m.text) : el("span", { class: "text" }, `[${t(`type_${m.type}`)}]`));
  li.dataset.key = m.key;
  li.append(when(m.direction === "out" ? t("you") : m.author ?? "", fmtTime(m.ts)));
  return li;
}

/**
 * Older messages above the drawn ones (oldest first); what the user is reading stays where it is.
 * @param {Mettri.records.MessageRecord[]} older
 */
export function prependMessages(older) {
  if (!older.length) return;
  const views = byId("views");
  const fromBottom = views.scrollHeight - views.scrollTop;
  byId("message-list").prepend(...older.map(bubble));
  views.scrollTop = views.scrollHeight - fromBottom;
}

/** The first row of a list at least partly on screen, and its distance from the top of the panel's view.
 *  @param {HTMLElement} list @param {"key" | "chat"} field the row's dataset field that names it */
export function firstVisibleRow(list, field) {
  const top = byId("views").getBoundingClientRect().top;
  for (const li of /** @type {HTMLCollectionOf<HTMLElement>} */ (list.children)) {
    const box = li.getBoundingClientRect();
    if (box.bottom > top) return { key: li.dataset[field], offset: box.top - top };
  }
  return null;
}

/** Scrolls the panel so that a row found by firstVisibleRow is where it was; false when it is not drawn.
 *  @param {HTMLElement} list @param {"key" | "chat"} field @param {{ key?: string, offset: number }} at */
export function putRowBack(list, field, at) {
  const row = [...list.children].find((li) => /** @type {HTMLElement} */ (li).dataset[field] === at.key);
  if (!row) return false;
  const views = byId("views");
  views.scrollTop += row.getBoundingClientRect().top - views.getBoundingClientRect().top - at.offset;
  return true;
}

/**
 * @param {Chat} chat
 * @param {Mettri.records.MessageRecord[]} messages
 * @param {Mettri.capture.ChatHealth | undefined} health
 */
export function renderMessages(chat, messages, health) {
  byId("chat-title").replaceChildren(el("bdi", {}, chat.title));
  // Two chats of one name: say whether Mettri tells them apart, and how.
  const note = byId("chat-identity");
  note.hidden = !(chat.ambiguous || (chat.twins ?? 1) > 1);
  note.textContent = chat.ambiguous ? t("chatAmbiguous") : note.hidden ? "" : t("chatTwins");
  note.className = "identity-note" + (chat.ambiguous ? " poor" : "");
  const figure = byId("capture-health");
  // A chat capture never read (its messages came by import) has no capture figure to show.
  figure.hidden = !health || (health.count === 0 && !(health.missing > 0));
  if (health && health.missing > 0) {
    // WhatsApp counted messages capture has not read yet (a hidden tab): never shown as 100 %.
    figure.textContent = tn("captureMissing", health.missing, [count(health.missing)]);
    figure.className = "health poor";
  } else if (health && !figure.hidden) {
    const share = Math.round((health.clean_share ?? 1) * 100);
    figure.textContent = t("captureHealth", [String(share), count(health.count)]);
    figure.className = "health " + (share >= 99 ? "good" : share >= 90 ? "fair" : "poor");
  }
  byId("no-messages").hidden = messages.length > 0;
  const list = byId("message-list");
  const views = byId("views");
  // The same chat drawn again (a message arrived) while the user reads older ones: they stay in place.
  const sameChat = list.dataset.chat === chat.key;
  const reading = sameChat && views.scrollHeight - views.scrollTop - views.clientHeight > 40 ? firstVisibleRow(list, "key") : null;
  list.dataset.chat = chat.key;
  list.replaceChildren(...messages.map(bubble));
  if (!reading || !putRowBack(list, "key", reading)) {
    list.lastElementChild?.scrollIntoView({ block: "end" }); // newest at the bottom, as in WhatsApp
  }
}
