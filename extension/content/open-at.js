// @ts-check
// Opens a chat at a message when the side panel asks (core event chat.open_requested):
// the active WhatsApp tab opens the chat, finds the message row (scrolling up
// through older messages within a bound) and highlights it briefly. Reads ids
// and titles only; the core said which chat and message. Opening the chat is
// content/actions.js's openChat (the same way the send gate opens one: verified, never by name alone).
var MettriOpenAt = (() => {
  /** @typedef {Mettri.whatsapp.SelectorTable} Selectors */
  /** @param {number} ms */
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const SCROLL_STEPS = 40; // older pages to load at most (~30 messages each in WhatsApp Web)
  const STEP_WAIT_MS = 250;
  const STEP_TIMEOUT_MS = 4_000;
  const HIGHLIGHT_MS = 2_500;

  /** @type {typeof MettriActions.firstMatch} */
  const first = (...args) => MettriActions.firstMatch(...args);

  /**
   * @param {Selectors} sel
   * @param {string} feature
   * @param {ParentNode} [root]
   */
  function all(sel, feature, root = document) {
    for (const c of sel.features[feature]?.candidates ?? []) {
      const els = root.querySelectorAll(c.css);
      if (els.length) return [...els];
    }
    return [];
  }

  /**
   * @template T
   * @param {() => T} fn
   * @param {number} timeoutMs
   * @returns {Promise<T | null>}
   */
  async function until(fn, timeoutMs) {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      const v = fn();
      if (v) return v;
      await sleep(50);
    }
    return null;
  }

  /**
   * @param {Selectors} sel
   * @param {string} id
   */
  function messageRow(sel, id) {
    const esc = CSS.escape(id);
    return document.querySelector(
      `#main [data-testid="conv-msg-${esc}"], #main [data-id$="_${esc}"], #main [data-id*="_${esc}_"], #main [data-id="${esc}"]`,
    );
  }

  /**
   * @param {Selectors} sel
   * @param {string} id
   */
  async function scrollToMessage(sel, id) {
    for (let step = 0; step <= SCROLL_STEPS; step++) {
      const row = messageRow(sel, id);
      if (row) return row;
      const scroller = first(sel, "message_scroller");
      if (!scroller) return null;
      const rows = all(sel, "message_row").length;
      diagnostics.step = { step, rows, top: scroller.scrollTop };
      scroller.scrollTop = 0; // WhatsApp loads older messages when the top is reached
      scroller.dispatchEvent(new Event("scroll"));
      const grew = await until(() => messageRow(sel, id) || all(sel, "message_row").length > rows, STEP_TIMEOUT_MS);
      if (!grew) return null; // nothing older came: the start of the chat, or not loadable
      await sleep(STEP_WAIT_MS);
    }
    return null;
  }

  /** @param {Element} row */
  function highlight(row) {
    row.scrollIntoView({ block: "center" });
    const target = /** @type {HTMLElement} */ (row.closest("[role='row']") || row);
    const before = target.style.outline;
    target.style.outline = "3px solid #f5b301";
    target.dataset.mettriHighlight = "1";
    setTimeout(() => {
      target.style.outline = before;
      delete target.dataset.mettriHighlight;
    }, HIGHLIGHT_MS);
  }

  /** @type {Promise<unknown> | null} */
  let busy = null;
  /** @param {Mettri.EventData<"chat.open_requested">} request */
  async function openAt(request) {
    const sel = MettriSelectors;
    diagnostics.step = { opening: request.title };
    const opened = await MettriActions.openChat(sel, { chat: request.chat, title: request.title, find: request.find });
    const result = { opened, found: false };
    if (opened && request.message_id) {
      const row = await scrollToMessage(sel, request.message_id);
      if (row) {
        highlight(row);
        result.found = true;
      }
    }
    diagnostics.last = { ...request, ...result };
    return result;
  }

  // What the last request did, and where it is now: for diagnostics and tests.
  /** @type {{ last: object | null, step: object | null }} */
  const diagnostics = { last: null, step: null };
  MettriCore.onEvent((envelope) => {
    if (envelope.event !== "chat.open_requested") return;
    if (globalThis.MettriContent?.role !== "active") return; // one WhatsApp tab acts
    const run = () => openAt(envelope.data);
    busy = (busy || Promise.resolve()).then(run, run);
  });
  return diagnostics;
})();
