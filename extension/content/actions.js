// @ts-check
// Page actions for the send gate: open a chat, write into WhatsApp's composer
// (a Lexical editor), press send, and confirm the message appeared as outgoing.
// The core decides what and when (sender.next); this file only acts and reports.
var MettriActions = (() => {
  /** @typedef {Mettri.whatsapp.SelectorTable} Selectors */

  /** @param {number} ms */
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /**
   * @param {Selectors} sel
   * @param {string} feature
   * @param {ParentNode} [root]
   * @returns {HTMLElement | null}
   */
  function firstMatch(sel, feature, root = document) {
    const f = sel.features[feature];
    if (!f) return null;
    for (const c of f.candidates) {
      const el = /** @type {HTMLElement | null} */ (root.querySelector(c.css));
      if (el) return el;
    }
    return null;
  }

  /**
   * @param {Selectors} sel
   * @param {string} feature
   * @param {ParentNode} [root]
   * @returns {HTMLElement[]}
   */
  function allMatches(sel, feature, root = document) {
    const f = sel.features[feature];
    if (!f) return [];
    for (const c of f.candidates) {
      const els = /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll(c.css));
      if (els.length) return [...els];
    }
    return [];
  }

  /** @param {string | null | undefined} s */
  const clean = (s) => (s || "").replace(/[\u202a-\u202e\u200e\u200f]/g, "").trim();

  /** @param {Selectors} sel */
  function headerTitle(sel) {
    const el = firstMatch(sel, "chat_header_title");
    return el ? clean(el.getAttribute("title") || el.textContent) : "";
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
   * @param {Selectors} sel
   * @param {string} title
   */
  function rowWithTitle(sel, title) {
    for (const row of allMatches(sel, "chat_row")) {
      const t = firstMatch(sel, "row_title", row);
      if (t && clean(t.getAttribute("title") || t.textContent) === title) return row;
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
    document.execCommand("insertText", false, text);
    await sleep(30);
  }

  /**
   * Open the chat with this title; resolves with null once it is open, else why not:
   * "chat_not_opened", or "search_rate_limited" when WhatsApp's search box would be needed and
   * the core's limit on searches (ratelimit.hit, kind "search") refuses one now.
   * @param {Selectors} sel
   * @param {string} title
   * @param {{ api?: Mettri.Api }} [deps]
   * @returns {Promise<null | "chat_not_opened" | "search_rate_limited">}
   */
  async function openChat(sel, title, { api = MettriApi } = {}) {
    if (headerTitle(sel) === title) return null;
    let row = rowWithTitle(sel, title);
    if (!row) {
      // Not among the rendered rows: search for it, as a person would, if the limits allow a search now.
      const box = firstMatch(sel, "search_box");
      if (!box) return "chat_not_opened";
      const permit = await api.ratelimit.hit.request({ kind: "search" });
      if (!permit.ok || !permit.result.allowed) return "search_rate_limited";
      await insertInto(box, title);
      row = await waitFor(() => rowWithTitle(sel, title), 3000);
    }
    if (!row) return "chat_not_opened";
    press(row.querySelector('[role="gridcell"]') || row);
    return (await waitFor(() => headerTitle(sel) === title, 3000)) ? null : "chat_not_opened";
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
    clearComposer(composer); // nothing half-written is left for the user to send by mistake
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
  function clearComposer(composer) {
    composer.focus();
    document.execCommand("selectAll");
    document.execCommand("delete");
  }

  /** @param {Selectors} sel */
  function outgoingIds(sel) {
    const batch = MettriReadDom.readBatch(document, sel, { hidden: false, observedAt: 0 });
    return new Map(batch.nodes.map((n) => [n.data_id || n.testid, n]));
  }

  /**
   * Perform one job from sender.next; resolves with sender.report's args.
   * @param {Mettri.sending.Job} job
   * @param {Selectors} sel
   * @param {{ title: string }} target
   * @returns {Promise<Mettri.Args<"sender.report">>}
   */
  async function performJob(job, sel, { title }) {
    /**
     * @param {Mettri.Args<"sender.report">["outcome"]} outcome
     * @param {{ error?: string, message_id?: string }} [extra]
     */
    const report = (outcome, extra = {}) => ({ job_id: job.id, attempt: job.attempt, outcome, ...extra });
    // Timed by our own clock from the job's arrival: the core's clock may run ahead (tests move it).
    const deadline = performance.now() + (job.expires_in ?? 20) * 1000;
    const notOpened = await openChat(sel, title);
    if (notOpened) return report("failed_before_send", { error: notOpened });
    const written = await writeMessage(sel, job.text);
    if (!written.ok) return report("failed_before_send", { error: written.error });
    if (performance.now() > deadline) {
      clearComposer(written.composer);
      return report("failed_before_send", { error: "expired" });
    }
    const before = outgoingIds(sel);
    const button = firstMatch(sel, "send_button");
    if (button) press(button);
    else {
      written.composer.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", keyCode: 13, bubbles: true, cancelable: true }));
    }
    // From here on the message may be out: only a confirmation or "unknown".
    const confirmed = await waitFor(() => {
      for (const [id, node] of outgoingIds(sel)) {
        if (!before.has(id) && clean(node.text) === clean(job.text)) return id;
      }
      return null;
    }, 10_000, 100);
    return confirmed ? report("sent", { message_id: confirmed }) : report("failed_unknown", { error: "not_confirmed" });
  }

  return Object.freeze({ performJob, openChat, writeMessage, replaceComposerText, headerTitle, firstMatch });
})();
