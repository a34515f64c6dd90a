// @ts-check
// Approve-suggestion bar next to WhatsApp's composer. The core keeps suggested
// replies (suggestion.offer); when the open chat has one, a small bar appears
// above the composer. Nothing is sent without a click: "send" goes through the
// core's gate (suggestion.approve mode "send"), "insert" only writes into the
// composer. The bar lives in a zero-height box inside the footer (it overlays,
// it never shifts the composer) with its own shadow root (no style leaks).
// It shows in the chat the core recognised as the suggestion's (the capture loop's key of the
// open chat), never in a chat that merely has the same name.
var MettriSuggestions = (() => {
  const CHECK_MS = 400;
  /** @param {string} key */
  const t = (key) => chrome.i18n.getMessage(key) || key;
  /**
   * @param {string} key
   * @param {string[]} subs
   */
  const t2 = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
  /** @param {string | null | undefined} s */
  const clean = (s) => (s || "").replace(/[\u202a-\u202e\u200e\u200f]/g, "").trim();

  const STYLE = `
    .bar { position: absolute; left: 8px; right: 8px; bottom: 4px; z-index: 5; box-sizing: border-box;
      background: #fffbe6; color: #1f2328; border: 1px solid #e0c85a; border-radius: 8px; padding: 8px;
      font: 13px/1.35 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,.15); }
    .label { font-weight: 600; font-size: 12px; color: #6b5a00; margin-bottom: 4px; }
    .text { white-space: pre-wrap; max-height: 7.5em; overflow: auto; margin-bottom: 6px; }
    .reply + .reply { border-top: 1px solid #eadb8f; padding-top: 6px; margin-top: 6px; }
    .reply + .buttons { margin-top: 6px; }
    .source { font-size: 12px; color: #5b4d00; margin-bottom: 2px; }
    .model { font-size: 12px; color: #5b4d00; margin-bottom: 6px; }
    .bar { max-height: 45vh; overflow: auto; }
    textarea { width: 100%; box-sizing: border-box; min-height: 4em; font: inherit; margin-bottom: 6px; }
    .buttons { display: flex; gap: 6px; flex-wrap: wrap; }
    button { font: inherit; border: 1px solid #b9a33a; background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
    button.primary { background: #1f7a4d; border-color: #1f7a4d; color: #fff; }
  `;

  /** @typedef {Mettri.suggestions.Suggestion} Suggestion */

  /**
   * @param {{
   *   api: Mettri.Api,
   *   onEvent: typeof MettriCore.onEvent,
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   actions?: typeof MettriActions,
   *   currentKey: () => string | null,
   *   onTime?: (ms: number) => void,
   * }} deps onTime: each check's time on WhatsApp's main thread (the content script counts its own)
   */
  function createSuggestions({ api, onEvent, selectors, actions = MettriActions, currentKey, onTime = () => {} }) {
    /** @type {Map<string, Suggestion>} chat key -> suggestion */
    const byChat = new Map();
    /** @type {HTMLElement | null} the zero-height box in the footer */
    let host = null;
    /** @type {Suggestion | null} the suggestion on screen */
    let shown = null;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let timer;
    let busy = false;
    let stopped = false;

    /** @param {Suggestion} s */
    function remember(s) {
      byChat.set(s.chat, s);
    }

    /** @param {string} chat */
    function forget(chat) {
      byChat.delete(chat);
    }

    function removeBar() {
      if (host) host.remove();
      host = null;
      shown = null;
    }

    /**
     * @param {string} label
     * @param {string} cls
     * @param {() => void} fn
     */
    function button(label, cls, fn) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (cls) b.className = cls;
      b.dataset.action = cls === "primary" ? "send" : "";
      b.addEventListener("click", (ev) => {
        ev.preventDefault();
        ev.stopPropagation();
        if (!busy) fn();
      });
      return b;
    }

    /**
     * @param {Suggestion} s
     * @param {Mettri.Args<"suggestion.approve">["mode"]} mode
     * @param {string} text
     */
    async function approve(s, mode, text) {
      busy = true;
      try {
        const reply = await api.suggestion.approve.request({ chat: s.chat, text, mode });
        if (!reply.ok) return;
        forget(s.chat);
        removeBar();
        if (mode === "insert") await actions.writeMessage(selectors, text);
      } finally {
        busy = false;
      }
    }

    /**
     * Where a reply came from, in the interface's language ("Como você respondeu a Ana em 12/03").
     * @param {Mettri.suggestions.SuggestedReply} r
     */
    function sourceLabel(r) {
      if (r.source === "template") return t2("suggest_from_template", [r.template]);
      if (r.source === "model") return t("suggest_from_model");
      if (r.source === "history" && r.answered_at != null) {
        const date = new Date(r.answered_at * 1000).toLocaleDateString(chrome.i18n.getUILanguage(), { day: "2-digit", month: "2-digit" });
        return r.contact ? t2("suggest_from_history", [r.contact, date]) : t2("suggest_from_history_noname", [date]);
      }
      return t("suggest_from_manual");
    }

    /**
     * One reply with its source, its text and its buttons: insert (the user edits and sends), send
     * (through the gate), edit here.
     * @param {Suggestion} s
     * @param {Mettri.suggestions.SuggestedReply} r
     * @param {boolean} labelled
     */
    function replyRow(s, r, labelled) {
      const row = document.createElement("div");
      row.className = "reply";
      row.dataset.source = r.source;
      if (labelled) {
        const source = document.createElement("div");
        source.className = "source";
        source.dir = "auto";
        source.textContent = sourceLabel(r);
        row.append(source);
      }
      const text = document.createElement("div");
      text.className = "text";
      text.dir = "auto"; // a reply in Arabic or Hebrew reads right to left, isolated from the buttons
      text.textContent = r.text; // plain text only
      /** @type {HTMLTextAreaElement | null} */
      let editor = null;
      const current = () => (editor ? editor.value : r.text);
      const buttons = document.createElement("div");
      buttons.className = "buttons";
      buttons.append(
        button(t("suggestionInsert"), "", () => approve(s, "insert", current())),
        button(t("suggestionSend"), "primary", () => approve(s, "send", current())),
        button(t("suggestionEdit"), "", () => {
          if (editor) return;
          editor = document.createElement("textarea");
          editor.value = r.text;
          editor.setAttribute("aria-label", t("suggestionEdit"));
          text.replaceWith(editor);
          editor.focus();
        }),
      );
      row.append(text, buttons);
      return row;
    }

    /**
     * The language model's part: being asked, or why it gave nothing (its note, in the UI's language).
     * @param {Suggestion} s
     */
    function modelLine(s) {
      if (s.model !== "asking" && !(s.model === "failed" && s.note)) return null;
      const line = document.createElement("div");
      line.className = "model";
      line.dataset.model = s.model;
      line.setAttribute("role", "status");
      const pt = chrome.i18n.getUILanguage().toLowerCase().startsWith("pt");
      line.textContent = s.model === "asking" ? t("suggest_model_asking") : s.note ? (pt ? s.note.pt_BR : s.note.en) : "";
      return line;
    }

    /**
     * @param {Suggestion} s
     * @param {Element} footer
     */
    function render(s, footer) {
      removeBar();
      host = document.createElement("div");
      host.setAttribute("data-mettri", "suggestion");
      host.style.cssText = "position:relative;height:0;width:100%;overflow:visible;";
      const root = host.attachShadow({ mode: "open" });
      const style = document.createElement("style");
      style.textContent = STYLE;
      const bar = document.createElement("div");
      bar.className = "bar";
      const replies = s.replies.length ? s.replies : [{ text: s.text, source: /** @type {const} */ ("manual"), contact: "", answered_at: null, template: "" }];
      const several = replies.length > 1 || replies[0].source !== "manual";
      const label = document.createElement("div");
      label.className = "label";
      label.textContent = t(replies.length > 1 ? "suggest_label" : "suggestionLabel");
      bar.append(label, ...replies.map((r) => replyRow(s, r, several)));
      const model = modelLine(s);
      if (model) bar.append(model);
      const dismiss = document.createElement("div");
      dismiss.className = "buttons";
      dismiss.append(
        button(t("suggestionDismiss"), "", async () => {
          busy = true;
          try {
            await api.suggestion.dismiss.request({ chat: s.chat });
            forget(s.chat);
            removeBar();
          } finally {
            busy = false;
          }
        }),
      );
      bar.append(dismiss);
      root.append(style, bar);
      footer.prepend(host);
      shown = s;
      host.dataset.shown = String(replies.length); // the tests' signal: the bar is drawn with its replies
      host.dataset.model = s.model; // ... and where the language model stands (off, asking, answered, failed)
    }

    // The last decision about the bar, for tests and DevTools: which chat it was for, and what shows.
    const status = { checks: 0, key: /** @type {string | null} */ (null), shown: /** @type {string | null} */ (null) };

    function check() {
      const t0 = performance.now();
      try {
        const key = currentKey();
        const s = key ? byChat.get(key) : null;
        Object.assign(status, { checks: status.checks + 1, key, shown: s ? s.chat : null });
        // The composer is looked for only when the open chat has a suggestion: the query walks the
        // page (a candidate absent from this generation walks all of it), every CHECK_MS.
        const composer = s ? actions.firstMatch(selectors, "composer") : null;
        const footer = composer && composer.closest("footer");
        if (!s || !footer) {
          if (host && !busy) removeBar();
          return;
        }
        if (shown === s && host && host.isConnected && footer.contains(host)) return;
        render(s, footer);
      } finally {
        onTime(performance.now() - t0);
      }
    }

    const unsubscribe = onEvent((envelope) => {
      if (envelope.event === "suggestion.offered") remember(envelope.data.suggestion);
      else if (envelope.event === "suggestion.cleared") forget(envelope.data.chat);
      else if (envelope.event === "chats.linked") {
        // Two keys named one chat: its suggestion waits under the key that names it now.
        const s = byChat.get(envelope.data.alias);
        if (s) {
          forget(s.chat);
          if (!byChat.has(envelope.data.canonical)) remember({ ...s, chat: envelope.data.canonical });
        }
      } else return;
      check();
    });

    return {
      status,
      async start() {
        const reply = await api.suggestion.pending.request({});
        if (stopped) return; // the tab went idle while asking: a late start would leave a second bar
        if (reply.ok) reply.result.suggestions.forEach(remember);
        timer = setInterval(check, CHECK_MS);
        check();
      },
      stop() {
        stopped = true;
        clearInterval(timer);
        unsubscribe();
        removeBar();
      },
    };
  }

  return Object.freeze({ createSuggestions });
})();
