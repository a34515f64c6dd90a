// Opens a chat at a message when the side panel asks (core event chat.open_requested):
// the active WhatsApp tab opens the chat, finds the message row (scrolling up
// through older messages within a bound) and highlights it briefly. Reads ids
// and titles only; the core said which chat and message. Opening the chat is
// content/actions.js's openChat (the same way the send gate opens one).
(() => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const SCROLL_STEPS = 40; // older pages to load at most (~30 messages each in WhatsApp Web)
  const STEP_WAIT_MS = 250;
  const STEP_TIMEOUT_MS = 4_000;
  const HIGHLIGHT_MS = 2_500;

  const first = (...args) => globalThis.MettriActions.firstMatch(...args);

  function all(sel, feature, root = document) {
    for (const c of sel.features[feature]?.candidates ?? []) {
      const els = root.querySelectorAll(c.css);
      if (els.length) return [...els];
    }
    return [];
  }

  async function until(fn, timeoutMs) {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      const v = fn();
      if (v) return v;
      await sleep(50);
    }
    return null;
  }

  function messageRow(sel, id) {
    const esc = CSS.escape(id);
    return document.querySelector(
      `#main [data-testid="conv-msg-${esc}"], #main [data-id$="_${esc}"], #main [data-id*="_${esc}_"], #main [data-id="${esc}"]`,
    );
  }

  async function scrollToMessage(sel, id) {
    for (let step = 0; step <= SCROLL_STEPS; step++) {
      const row = messageRow(sel, id);
      if (row) return row;
      const scroller = first(sel, "message_scroller");
      if (!scroller) return null;
      const rows = all(sel, "message_row").length;
      globalThis.MettriOpenAt.step = { step, rows, top: scroller.scrollTop }; // for diagnostics
      scroller.scrollTop = 0; // WhatsApp loads older messages when the top is reached
      scroller.dispatchEvent(new Event("scroll"));
      const grew = await until(() => messageRow(sel, id) || all(sel, "message_row").length > rows, STEP_TIMEOUT_MS);
      if (!grew) return null; // nothing older came: the start of the chat, or not loadable
      await sleep(STEP_WAIT_MS);
    }
    return null;
  }

  function highlight(row) {
    row.scrollIntoView({ block: "center" });
    const target = row.closest("[role='row']") || row;
    const before = target.style.outline;
    target.style.outline = "3px solid #f5b301";
    target.dataset.mettriHighlight = "1";
    setTimeout(() => {
      target.style.outline = before;
      delete target.dataset.mettriHighlight;
    }, HIGHLIGHT_MS);
  }

  let busy = null;
  async function openAt(request) {
    const sel = globalThis.MettriSelectors;
    globalThis.MettriOpenAt.step = { opening: request.title };
    const opened = await globalThis.MettriActions.openChat(sel, request.title);
    const result = { opened, found: false };
    if (opened && request.message_id) {
      const row = await scrollToMessage(sel, request.message_id);
      if (row) {
        highlight(row);
        result.found = true;
      }
    }
    globalThis.MettriOpenAt.last = { ...request, ...result };
    return result;
  }

  globalThis.MettriOpenAt = { last: null, step: null };
  globalThis.MettriCore.onEvent((envelope) => {
    if (envelope.event !== "chat.open_requested") return;
    if (globalThis.MettriContent?.role !== "active") return; // one WhatsApp tab acts
    const run = () => openAt(envelope.data);
    busy = (busy || Promise.resolve()).then(run, run);
  });
})();
