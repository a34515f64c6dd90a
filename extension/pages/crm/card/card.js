// @ts-check
// A person's CRM card: the sections below, drawn from one crm.card answer. Used by the side
// panel (following the chat open in WhatsApp) and by the contacts page (a record's drawer).
//
// Mount point for other features: registerCardSection({id, order, render(ctx)}) adds a
// section (e.g. scheduled messages, "send at"); render returns an element, drawn in order.
// Sections are redrawn whenever the record changes; a section keeps its own state by key.
import { el, t } from "../../sidepanel/dom.js";
import { defs, onDefs } from "../defs.js";
import { toast } from "../widgets.js";
import { refusal, writers } from "./context.js";
import * as header from "./header.js";
import * as tags from "./tags.js";
import * as deal from "./deal.js";
import * as fields from "./fields.js";
import * as reminders from "./reminders.js";
import * as schedule from "./schedule.js";
import * as notes from "./notes.js";
import * as timeline from "./timeline.js";

/** @typedef {import("./context.js").CardContext} CardContext */
/** @typedef {{ id: string, order: number, render: (ctx: CardContext) => HTMLElement | null }} CardSection */

/** @type {CardSection[]} */
const sections = [];

/** Add a section to every card (before cards are created). @param {CardSection} section */
export function registerCardSection(section) {
  const at = sections.findIndex((s) => s.id === section.id);
  if (at >= 0) sections.splice(at, 1);
  sections.push(section);
  sections.sort((a, b) => a.order - b.order);
}
for (const m of [header, tags, deal, fields, reminders, schedule, notes, timeline]) registerCardSection(m.section);

/** The single-key shortcuts (when no text box has the focus): key -> the control's data-fk. */
export const QUICK_KEYS = /** @type {const} */ ([
  ["t", "tag-input", "card_keyTag"],
  ["n", "note-text", "card_keyNote"],
  ["l", "reminder-text", "card_keyReminder"],
  ["e", "stage", "card_keyStage"],
  ["v", "value", "card_keyValue"],
]);

/** @param {HTMLInputElement | HTMLTextAreaElement} box */
function selectionOf(box) {
  try {
    return { start: box.selectionStart, end: box.selectionEnd, direction: box.selectionDirection };
  } catch {
    return null; // a box without a text selection (colour, date)
  }
}

/**
 * @param {HTMLInputElement | HTMLTextAreaElement} box
 * @param {NonNullable<ReturnType<typeof selectionOf>>} s
 */
function restoreSelection(box, s) {
  if (s.start === null || s.end === null) return;
  try {
    box.setSelectionRange(s.start, s.end, s.direction ?? undefined);
  } catch {
    // this kind of box has no text selection
  }
}

/** @param {EventTarget | null} node */
function isTyping(node) {
  return node instanceof HTMLElement && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
}

/**
 * @param {HTMLElement} root
 * @param {{ followsWhatsApp: boolean, onShown?: (card: Mettri.crm.CrmCard) => void }} opts
 */
export function createCard(root, opts) {
  root.classList.add("crm-card");
  const asks = el("div", { class: "asks" });
  const body = el("div", { class: "card-body" });
  const toasts = el("div", { class: "toasts", "aria-live": "polite" });
  root.replaceChildren(asks, body, toasts);

  /** @type {Mettri.crm.CrmCard | null} */
  let card = null;
  /** @type {Mettri.crm.CrmDefs | null} */
  let d = null;
  /** @type {string | null} the chat asked for */
  let chat = null;
  let ticket = 0;
  let deferred = false;
  let cached = false; // what is drawn is the worker's copy, not the core's answer
  let loading = 0; // crm.card questions on their way
  let wanted = 0; // the newest change to this record the core announced (crm.changed's seq)

  const ctxWriters = writers({
    card: () => /** @type {Mettri.crm.CrmCard} */ (card),
    defs: () => /** @type {Mettri.crm.CrmDefs} */ (d),
    root,
    asks,
    setRow: (row) => {
      if (!card || row.key !== card.row.key) return; // an answer about a card no longer shown
      // The reply to this card's own write: if the card held every change before it, it now holds
      // this one too, and the write's crm.changed is not drawn a second time.
      const seq = row.seq != null && row.seq === card.seq + 1 ? row.seq : card.seq;
      card = { ...card, row, seq };
      draw();
    },
    retried: () => say(t("card_conflictReapplied")),
  });

  /** @param {string} text @param {(() => void) | null} [undo] */
  const say = (text, undo = null) => toast(toasts, text, undo);
  /** @param {unknown} err */
  const fail = (err) => refusal(err).text;

  /** A text box with unsaved typing, or a question waiting for its answer: redrawing now would lose it. */
  function busyTyping() {
    if (asks.childElementCount) return true;
    const a = document.activeElement;
    if (!(a instanceof HTMLInputElement || a instanceof HTMLTextAreaElement) || !root.contains(a)) return false;
    return a.value !== a.defaultValue;
  }

  function draw() {
    if (!card || !d) return;
    // The control with the focus is found again after the redraw by its data-fk, or else its id
    // (a button reached with Tab keeps the focus, so Enter still presses it).
    const active = document.activeElement instanceof HTMLElement && root.contains(document.activeElement)
      ? document.activeElement : null;
    const focused = active?.dataset.fk ? `[data-fk="${active.dataset.fk}"]` : active?.id ? `#${CSS.escape(active.id)}` : null;
    // ... with its caret and selection: text typed while the card is redrawn goes where the user put it.
    const caret = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? selectionOf(active) : null;
    // Typing not saved yet survives a redraw of the same record (another page's change, a write
    // elsewhere on the card): boxes are found again by their data-fk.
    /** @type {Map<string, string>} */
    const typed = new Map();
    if (root.dataset.key === card.row.key) {
      for (const box of body.querySelectorAll("input[data-fk], textarea[data-fk]")) {
        const b = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (box);
        if (b.value !== b.defaultValue && b.dataset.fk) typed.set(b.dataset.fk, b.value);
      }
    }
    /** @type {CardContext} */
    const ctx = { card, defs: d, root, say, fail, reload, followsWhatsApp: opts.followsWhatsApp,
      setRow: (row) => { card = card && { ...card, row }; draw(); }, ...ctxWriters };
    const parts = [];
    for (const s of sections) {
      try {
        const part = s.render(ctx);
        if (part) {
          part.dataset.section = s.id;
          parts.push(part);
        }
      } catch (err) {
        console.error(`mettri: card section ${s.id}`, err);
      }
    }
    body.replaceChildren(...parts);
    root.dataset.key = card.row.key;
    root.dataset.version = String(card.row.version);
    for (const [fk, value] of typed) {
      const b = /** @type {HTMLInputElement | HTMLTextAreaElement | null} */ (body.querySelector(`[data-fk="${fk}"]`));
      if (b) b.value = value;
    }
    const again = focused ? /** @type {HTMLElement | null} */ (body.querySelector(focused)) : null;
    again?.focus();
    if (caret && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) restoreSelection(again, caret);
  }

  /** Show ``chatKey``'s card; resolves when it is drawn. @param {string | null} chatKey */
  async function show(chatKey) {
    chat = chatKey;
    const mine = ++ticket;
    if (!chatKey) {
      card = null;
      cached = false;
      body.inert = false;
      delete root.dataset.cached;
      body.replaceChildren(el("p", { class: "empty", id: "crm-card-empty" }, t(opts.followsWhatsApp ? "card_openAChat" : "card_noRecord")));
      delete root.dataset.key;
      return;
    }
    const since = wanted;
    loading += 1;
    let got, defsNow;
    try {
      [got, defsNow] = await Promise.all([MettriApi.crm.card({ chat: chatKey, notes: 20 }), defs()]);
    } finally {
      loading -= 1;
    }
    if (mine !== ticket) return;
    if (pressing && card && !cached && card.row.key === got.row.key) {
      // The answer came while a button of this card is held down: drawing now would replace it
      // under the pointer and lose the click. Asked again after the release (see later()).
      deferred = true;
      root.dataset.pending = "redraw";
      return;
    }
    if (card && card.row.key !== got.row.key) {
      // Questions about the record no longer shown are answered "keep theirs" (nothing is overwritten).
      for (const no of asks.querySelectorAll("[data-answer=no]")) /** @type {HTMLElement} */ (no).click();
    }
    card = got;
    d = defsNow;
    cached = false;
    body.inert = false;
    delete root.dataset.cached;
    draw();
    opts.onShown?.(got);
    // A change announced while this answer was on its way is asked for again; otherwise the
    // answer is the record as it is now (also after a core restart, whose numbers start anew).
    if (wanted > since && got.seq < wanted) changedLater();
    else {
      wanted = Math.min(wanted, got.seq);
      if (wanted) seen("drawn");
    }
  }

  /**
   * Draw a card the worker cached (background/panel-cache.js) while the core starts: read-only
   * (inert: nothing can be written from a copy) and marked as cached, until show() draws the
   * core's answer. False when the core answered first.
   * @param {import("../../../shared/panel-cache.js").CachedCard} copy
   */
  function paintCached(copy) {
    if (card && !cached) return false;
    cached = true;
    card = copy.card;
    d = copy.defs;
    chat ??= copy.chat;
    body.inert = true;
    root.dataset.cached = "1";
    draw();
    return true;
  }

  /** Ask the core again (after a write, or when it says the record changed). */
  async function reload() {
    if (busyTyping() || pressing) {
      deferred = true; // redrawn when the user leaves the box and lets go of the button
      root.dataset.pending = "redraw";
      return;
    }
    deferred = false;
    delete root.dataset.pending;
    try {
      await show(chat);
    } catch (err) {
      say(fail(err));
    }
  }

  // A press on a button moves the focus out of the box before the button is let go; redrawing
  // then would replace the button under the pointer and the click would be lost (a person's
  // press lasts ~100 ms, longer than a redraw). So the redraw waits for the release, and runs
  // after the click it ends.
  let pressing = false;
  const later = () => {
    if (deferred && !pressing) setTimeout(() => !busyTyping() && !pressing && deferred && reload(), 0);
  };
  root.addEventListener("pointerdown", () => { pressing = true; }, true);
  const release = () => {
    if (!pressing) return;
    pressing = false;
    later();
  };
  window.addEventListener("pointerup", release, true);
  window.addEventListener("pointercancel", release, true);
  root.addEventListener("focusout", later);
  new MutationObserver(later).observe(asks, { childList: true }); // a question was answered
  onDefs((next) => {
    d = next;
    if (!busyTyping()) draw();
  });

  /** The keys of this card's record (every chat of the person). */
  const keys = () => (card ? [card.row.key, ...card.chats] : []);

  // A change to this card's record is drawn by asking again, unless what is drawn already holds
  // it: the card asks again after each of its own writes, so the echo of that write (its seq at or
  // below the card's) would only redraw the same card, replacing the controls under the user's
  // next click. data-change-seen says what the card decided about the newest change ("drawn":
  // already on screen; "asked": asked again), data-change-asks counts the asks (for tests).
  let reloadTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  const upToDate = () => !!card && !cached && card.seq >= wanted;
  /** @param {"drawn" | "asked"} what */
  const seen = (what) => { root.dataset.changeSeen = `${wanted}:${what}`; };
  function changedLater() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      if (upToDate()) seen("drawn");
      else if (!loading) { // else the answer on its way checks again when it lands (show)
        seen("asked");
        root.dataset.changeAsks = String(Number(root.dataset.changeAsks ?? 0) + 1);
        reload();
      }
    }, 60); // a burst of changes is drawn once
  }
  MettriCore.onEvent((e) => {
    if (!card || e.event !== "crm.changed") return;
    if (!e.data.many && !e.data.keys.some((k) => keys().includes(k))) {
      // Another record's change: what is drawn still holds every change up to it (the card's
      // number follows, so the reply to its next write can be known as the next change).
      if (!cached && e.data.seq === card.seq + 1) card = { ...card, seq: e.data.seq };
      return;
    }
    wanted = Math.max(wanted, e.data.seq);
    if (upToDate()) seen("drawn");
    else changedLater();
  });

  /** Single-key shortcuts; ignored while typing. @param {KeyboardEvent} e */
  function onKey(e) {
    if (!card || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    const hit = QUICK_KEYS.find(([key]) => key === e.key.toLowerCase());
    if (!hit) return;
    const target = /** @type {HTMLElement | null} */ (body.querySelector(`[data-fk="${hit[1]}"]`));
    if (!target) return;
    e.preventDefault();
    target.scrollIntoView({ block: "nearest" });
    target.focus();
  }

  return { show, paintCached, reload, onKey, current: () => card, chat: () => chat };
}

/** A line that names the shortcuts. */
export function keysHelp() {
  return el("p", { class: "meta keys-help", id: "crm-keys-help" }, t("card_keys"), " ",
    QUICK_KEYS.flatMap(([key, , label], i) => [i ? " · " : "", el("kbd", {}, key.toUpperCase()), " ", t(label)]));
}
