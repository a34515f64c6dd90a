// @ts-check
// Page actions for the send gate: open a chat, write into WhatsApp's composer
// (a Lexical editor), press send, and confirm the message appeared as outgoing.
// The core decides what and when (sender.next), and which chat the open one is
// (identity.match / identity.verify): names are compared there, normalised, never
// here. This file only acts and reports, and leaves WhatsApp as the user had it
// (search box cleared, the chat they had open opened again).
var MettriActions = (() => {
  /** @typedef {Mettri.whatsapp.SelectorTable} Selectors */
  /** @typedef {{ chat: string, title: string, find: string[] }} Target */
  /**
   * What a search for a chat changed, so it can be undone.
   * @typedef {{ ok: boolean, error?: string, typed: boolean, navigated: boolean, boxBefore: string }} Opened
   */

  const api = MettriApi;
  const readDom = MettriReadDom;
  const OPEN_TIMEOUT_MS = 3000;
  const RESULTS_TIMEOUT_MS = 3000;
  const ROWS_TIMEOUT_MS = 1500;
  const DRAWER_TIMEOUT_MS = 2000;
  const MAX_CANDIDATES = 6; // rows of one name (or a number's results) opened at most per search
  let acting = 0; // a send or an "open in WhatsApp" is finding its chat: the capture loop keeps its hands off

  /** @param {number} ms */
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /**
   * @param {Selectors} sel
   * @param {string} feature
   * @param {Document | Element} [root]
   * @returns {HTMLElement | null}
   */
  function firstMatch(sel, feature, root = document) {
    return /** @type {HTMLElement | null} */ (MettriReadDom.first(root, sel, feature));
  }

  /**
   * @param {Selectors} sel
   * @param {string} feature
   */
  function count(sel, feature) {
    return MettriReadDom.match(document, sel, feature).els.length;
  }

  /** @param {string | null | undefined} s */
  const clean = (s) => (s || "").replace(/[\u202a-\u202e\u200e\u200f]/g, "").trim();

  /**
   * The open chat's name as drawn (with its emoji), for display and change detection only.
   * @param {Selectors} sel
   */
  function headerTitle(sel) {
    const el = firstMatch(sel, "chat_header_title");
    return el ? readDom.nameOf(el) : "";
  }

  /** @param {Element} el */
  function press(el) {
    const opts = { bubbles: true, cancelable: true, view: window };
    el.dispatchEvent(new MouseEvent("mousedown", opts));
    el.dispatchEvent(new MouseEvent("mouseup", opts));
    el.dispatchEvent(new MouseEvent("click", opts));
  }

  /**
   * @template T
   * @param {() => T} fn
   * @param {number} timeoutMs
   * @param {number} [stepMs]
   * @returns {Promise<T | null>}
   */
  async function waitFor(fn, timeoutMs, stepMs = 50) {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      const v = fn();
      if (v) return v;
      await sleep(stepMs);
    }
    return null;
  }

  /**
   * @param {HTMLElement} el
   * @param {string} text
   */
  async function insertInto(el, text) {
    el.focus();
    await sleep(60); // Lexical ignores an insert in the same task as focus()
    // Replace what is there (an earlier search), never append to it. Lexical must see the
    // selection change before the insert, as with focus.
    if (el.tagName === "INPUT") /** @type {HTMLInputElement} */ (el).select();
    else if ((el.textContent || "").trim()) {
      window.getSelection()?.selectAllChildren(el);
      await sleep(60);
    }
    if (text) document.execCommand("insertText", false, text);
    else erase(el);
    await sleep(30);
  }

  // Delete what is selected as a key press would: execCommand("delete") fires no beforeinput, and
  // a Lexical editor (the composer, the 2024-25 search box) keeps its text without one.
  /** @param {HTMLElement} el */
  function erase(el) {
    if (el.tagName === "INPUT") document.execCommand("delete");
    else el.dispatchEvent(new InputEvent("beforeinput", { inputType: "deleteContentBackward", bubbles: true, cancelable: true }));
  }

  /** @param {HTMLElement} el */
  const boxText = (el) => (el.tagName === "INPUT" ? /** @type {HTMLInputElement} */ (el).value : el.textContent || "");

  // -- which chat is open --------------------------------------------------------------
  /**
   * What identifies the open chat on the page now, for identity.verify.
   * @param {Selectors} sel
   * @param {string[]} seen names of the rows the search for the chat looked at (twins show there)
   * @param {Mettri.capture.DrawerFacts | null} drawer
   */
  function openFacts(sel, seen, drawer) {
    const facts = readDom.readChatHeader(document, sel);
    return { ...facts, list_titles: seen.slice(0, 120), drawer };
  }

  // A signature of the open conversation: which panel, which name, which rows.
  /** @param {Selectors} sel */
  function openSig(sel) {
    const keys = readDom.rowKeys(document, sel, 5);
    return { panel: firstMatch(sel, "conversation_panel"), title: headerTitle(sel), rows: keys.join("|") };
  }

  /**
   * The contact-info drawer of the open chat: opened from the header, read, closed again.
   * @param {Selectors} sel
   * @returns {Promise<Mettri.capture.DrawerFacts | null>}
   */
  async function readDrawer(sel) {
    const already = readDom.readDrawer(document, sel);
    if (already) return already;
    const permit = await api.ratelimit.hit.request({ kind: "scrape" }); // WhatsApp's contact reads are paced
    if (!permit.ok || !permit.result.allowed) return null;
    const header = firstMatch(sel, "chat_header_title");
    if (!header) return null;
    press(header);
    const drawer = await waitFor(() => firstMatch(sel, "contact_drawer"), DRAWER_TIMEOUT_MS);
    if (!drawer) return null;
    await sleep(50); // its lines are drawn with it; one frame for late ones
    const facts = readDom.readDrawer(document, sel);
    const close = firstMatch(sel, "drawer_close", drawer);
    if (close) {
      press(close);
      await waitFor(() => !firstMatch(sel, "contact_drawer"), DRAWER_TIMEOUT_MS);
    }
    return facts;
  }

  /**
   * Is the open chat the target? Asks the core, reading the drawer when it says so.
   * @param {Selectors} sel
   * @param {Target} target
   * @param {string[]} seen
   * @returns {Promise<Mettri.Result<"identity.verify">["verdict"]>}
   */
  async function verifyOpen(sel, target, seen) {
    /** @type {Mettri.capture.DrawerFacts | null} */
    let drawer = null;
    for (let round = 0; round < 2; round++) {
      const reply = await api.identity.verify.request({
        chat: target.chat, facts: openFacts(sel, seen, drawer), rows: readDom.rowKeys(document, sel, 120),
      });
      if (!reply.ok) return "unknown";
      if (reply.result.verdict !== "read_drawer") return reply.result.verdict;
      drawer = await readDrawer(sel);
      if (!drawer) return "unknown"; // no drawer now (paced, or not drawn): never a guess
    }
    return "unknown";
  }

  /**
   * Open each row that may be the target (the core says which, by name or number) until the core
   * recognises it. Rows are read again before each try: a virtualized list redraws them.
   * @param {Selectors} sel
   * @param {Target} target
   * @param {"list" | "title" | "phone"} by
   * @param {{ unknown: boolean, navigated: boolean }} state
   */
  async function tryRows(sel, target, by, state) {
    for (let k = 0; k < MAX_CANDIDATES; k++) {
      const rows = readDom.chatRows(document, sel);
      const reply = await api.identity.match.request({ chat: target.chat, rows: rows.map((r) => ({ title: r.title })), by });
      if (!reply.ok || k >= reply.result.candidates.length) return false;
      const row = rows[reply.result.candidates[k]];
      const before = openSig(sel);
      const selected = (row.el.closest("[aria-selected]") || row.el).getAttribute("aria-selected") === "true";
      if (!selected) {
        press(row.el.querySelector('[role="gridcell"]') || row.el);
        state.navigated = true;
        const changed = await waitFor(() => {
          const now = openSig(sel);
          return now.panel !== before.panel || now.title !== before.title || now.rows !== before.rows;
        }, OPEN_TIMEOUT_MS);
        if (!changed) continue;
        // The header can change before the conversation's rows do: verifying then would read the
        // previous chat's messages. Wait for rows that are not the old chat's (a chat without any
        // message shows none: then the wait runs out and the header and drawer decide).
        await waitFor(() => {
          const now = openSig(sel);
          return now.rows !== "" && now.rows !== before.rows;
        }, ROWS_TIMEOUT_MS);
      }
      const verdict = await verifyOpen(sel, target, rows.map((r) => r.title));
      if (verdict === "match") return true;
      if (verdict === "unknown") state.unknown = true;
    }
    return false;
  }

  /**
   * Open the target chat: the open one if it is it, else a drawn row, else a search (by name,
   * then phone). Section headers of the results have no name and are never candidates.
   * @param {Selectors} sel
   * @param {Target} target
   * @returns {Promise<Opened>}
   */
  async function openTarget(sel, target) {
    const state = { unknown: false, navigated: false };
    /** @type {Opened} */
    const out = { ok: false, typed: false, navigated: false, boxBefore: "" };
    const done = (/** @type {boolean} */ ok, /** @type {string} */ error) =>
      Object.assign(out, { ok, navigated: state.navigated }, ok ? {} : { error });
    if (firstMatch(sel, "chat_header_title")) {
      // The open chat may be it: asked only when its name (or number) could be the target's.
      const named = await api.identity.match.request({ chat: target.chat, rows: [{ title: headerTitle(sel) }], by: "list" });
      if (named.ok && named.result.candidates.length &&
          (await verifyOpen(sel, target, readDom.listTitles(document, sel))) === "match") return done(true, "");
    }
    if (await tryRows(sel, target, "list", state)) return done(true, "");
    const box = firstMatch(sel, "search_box");
    for (const [n, term] of target.find.entries()) {
      if (!box) break;
      const permit = await api.ratelimit.hit.request({ kind: "search" }); // WhatsApp's searches are paced
      if (!permit.ok || !permit.result.allowed) return done(false, "search_rate_limited");
      const before = readDom.listTitles(document, sel).join("\n");
      if (!out.typed) out.boxBefore = boxText(box); // what the user had typed there, put back after
      await insertInto(box, term);
      out.typed = true;
      // The results replace the list: wait until they differ, then until they hold still.
      await waitFor(() => readDom.listTitles(document, sel).join("\n") !== before, RESULTS_TIMEOUT_MS);
      // An empty list may be the results still coming (WhatsApp filters after a pause in typing):
      // it counts as settled only once it stayed empty for a second.
      /** @type {string | null} */
      let last = null;
      let polls = 0;
      await waitFor(() => {
        const now = readDom.listTitles(document, sel).join("\n");
        polls += 1;
        const still = now === last && (now !== "" || polls > 8);
        last = now;
        return still;
      }, RESULTS_TIMEOUT_MS, 120);
      const by = n === 0 ? "title" : "phone";
      if (await tryRows(sel, target, by, state)) return done(true, "");
    }
    return done(false, state.unknown ? "chat_ambiguous" : "chat_not_opened");
  }

  /**
   * Undo what finding a chat changed: the search box emptied; the chat the user had open
   * opened again (found the same way, its identity verified).
   * @param {Selectors} sel
   * @param {Opened} opened
   * @param {Target | null} before the chat open before, when Mettri knew which it was
   */
  async function restore(sel, opened, before) {
    const putBack = async (/** @type {string} */ text) => {
      const box = firstMatch(sel, "search_box");
      if (!box || boxText(box) === text) return;
      await insertInto(box, text);
      await waitFor(() => boxText(box).trim() === text.trim(), 1000);
    };
    const back = opened.navigated && before ? await openTarget(sel, before) : null;
    if (opened.typed || (back && back.typed)) await putBack(opened.boxBefore);
  }

  /** @param {HTMLElement} el */
  function composerText(el) {
    return clean(el.innerText).replace(/\n+$/, "");
  }

  /**
   * @param {Selectors} sel
   * @param {string} text
   * @returns {Promise<{ ok: true, composer: HTMLElement } | { ok: false, error: string }>}
   */
  async function writeMessage(sel, text) {
    const composer = firstMatch(sel, "composer");
    if (!composer) return { ok: false, error: "composer_not_found" };
    if (composerText(composer)) {
      // A draft the user was writing: never send it along with ours.
      return { ok: false, error: "composer_not_empty" };
    }
    // A composer just mounted (a chat opened a moment ago) may ignore the first
    // insert until its editor is ready: try again a little later, replacing what landed.
    for (const wait of [0, 150, 400]) {
      await sleep(wait);
      await insertInto(composer, text);
      if (composerText(composer) === clean(text)) return { ok: true, composer };
      // Fallback the real site also accepts: a paste carrying the text.
      if (!composerText(composer)) {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        composer.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        await sleep(50);
        if (composerText(composer) === clean(text)) return { ok: true, composer };
      }
    }
    await clearComposer(composer); // nothing half-written is left for the user to send by mistake
    return { ok: false, error: "insert_failed" };
  }

  /**
   * Put ``text`` in the composer in place of what is there (the picker's "/query"), through the
   * sender's own insertion path; never presses Enter.
   * @param {Selectors} sel
   * @param {string} text
   * @returns {Promise<boolean>} whether the composer now holds exactly ``text``
   */
  async function replaceComposerText(sel, text) {
    const composer = firstMatch(sel, "composer");
    if (!composer) return false;
    await insertInto(composer, text);
    return composerText(composer) === clean(text);
  }

  /** @param {HTMLElement} composer */
  async function clearComposer(composer) {
    if (composerText(composer)) await insertInto(composer, "");
  }

  // The self-test's check of the composer, made in the chat the send opened (issue 12, class 8):
  // exactly one composer, at most one send button (2026 draws it only once text is typed).
  /** @param {Selectors} sel */
  function composerCheck(sel) {
    const composers = count(sel, "composer");
    if (composers !== 1) return composers ? "composer_ambiguous" : "composer_not_found";
    return count(sel, "send_button") > 1 ? "send_button_ambiguous" : null;
  }

  /** @param {Selectors} sel */
  function outgoingIds(sel) {
    const batch = readDom.readBatch(document, sel, { hidden: false, observedAt: 0 });
    return new Map(batch.nodes.map((n) => [n.data_id || n.testid, n]));
  }

  // The chat open before the send, as the capture loop knows it (its key, from the core). It is
  // found again by its name, else by its number (a name another chat also bears cannot be told
  // apart in the search results; the number can), as the core's jobs are (sending/handout.py).
  /** @param {Selectors} sel @returns {Target | null} */
  function openBefore(sel) {
    const key = globalThis.MettriContent?.capture?.chatKey() ?? null;
    if (!key || !firstMatch(sel, "chat_header_title")) return null;
    const phone = /^(\d+)@c\.us$/.exec(key)?.[1];
    return { chat: key, title: headerTitle(sel), find: phone ? [headerTitle(sel), phone] : [headerTitle(sel)] };
  }

  /**
   * Perform one job from sender.next; resolves with sender.report's args.
   * @param {Mettri.sending.Job} job
   * @param {Selectors} sel
   * @param {{ title?: string }} [_target] kept for callers; the job says how to find its chat
   * @returns {Promise<Mettri.Args<"sender.report">>}
   */
  async function performJob(job, sel, _target) {
    /**
     * @param {Mettri.Args<"sender.report">["outcome"]} outcome
     * @param {{ error?: string, message_id?: string }} [extra]
     */
    const report = (outcome, extra = {}) => ({ job_id: job.id, attempt: job.attempt, outcome, ...extra });
    // Timed by our own clock from the job's arrival: the core's clock may run ahead (tests move it).
    const deadline = performance.now() + (job.expires_in ?? 20) * 1000;
    const before = openBefore(sel);
    const target = { chat: job.chat, title: job.chat_title, find: job.find && job.find.length ? job.find : [job.chat_title] };
    acting += 1;
    const opened = await openTarget(sel, target).catch((err) => {
      acting -= 1;
      throw err;
    });
    try {
      if (!opened.ok) return report("failed_before_send", { error: opened.error || "chat_not_opened" });
      const broken = composerCheck(sel);
      if (broken) return report("failed_before_send", { error: broken });
      const written = await writeMessage(sel, job.text);
      if (!written.ok) return report("failed_before_send", { error: written.error });
      if (performance.now() > deadline) {
        await clearComposer(written.composer);
        return report("failed_before_send", { error: "expired" });
      }
      const sent = outgoingIds(sel);
      const button = firstMatch(sel, "send_button");
      if (button) press(button);
      else {
        written.composer.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", keyCode: 13, bubbles: true, cancelable: true }));
      }
      // From here on the message may be out: only a confirmation or "unknown".
      const confirmed = await waitFor(() => {
        for (const [id, node] of outgoingIds(sel)) {
          if (!sent.has(id) && clean(node.text) === clean(job.text)) return id;
        }
        return null;
      }, 10_000, 100);
      return confirmed ? report("sent", { message_id: confirmed }) : report("failed_unknown", { error: "not_confirmed" });
    } finally {
      try {
        await restore(sel, opened, before && before.chat !== job.chat ? before : null);
      } finally {
        acting -= 1;
      }
    }
  }

  /**
   * Open a chat the core names (side panel: "open in WhatsApp"); false when it cannot be told apart.
   * @param {Selectors} sel
   * @param {Target} target
   */
  async function openChat(sel, target) {
    acting += 1;
    try {
      const opened = await openTarget(sel, target);
      if (opened.typed) await restore(sel, { ...opened, navigated: false }, null);
      return opened.ok;
    } finally {
      acting -= 1;
    }
  }

  const isActing = () => acting > 0;

  return Object.freeze({ performJob, openChat, writeMessage, replaceComposerText, headerTitle, firstMatch, readDrawer, isActing });
})();
