// @ts-check
// A small badge with the open conversation's CRM stage and tags, just under WhatsApp's chat
// header. It never changes WhatsApp's own layout: its box is fixed-positioned on the page's body,
// placed from the header's rectangle, with its own shadow root (no style leaks either way), and
// it takes no clicks. Gone in read-only safe mode (the self-test could not trust the page's shape)
// and when the chat has no stage and no tag. Text from users is set as text, never as HTML.
var MettriCrmBadge = (() => {
  const TAGS_SHOWN = 3;
  const STYLE = `
    :host { all: initial; }
    .badge { display: flex; gap: 4px; align-items: center; flex-wrap: nowrap; max-width: 480px;
      font: 12px/1.2 system-ui, sans-serif; padding: 3px 6px; border-radius: 999px;
      background: rgba(255,255,255,.95); color: #1d2521; border: 1px solid #dde3df; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
    .stage { font-weight: 600; white-space: nowrap; }
    .chip { flex: none; padding: 2px 6px; border-radius: 999px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 110px; }
    .more { color: #5d6b64; }
  `;

  const isPt = () => chrome.i18n.getMessage("@@ui_locale").toLowerCase().startsWith("pt");
  /** @param {{ pt_BR: string, en: string }} l */
  const label = (l) => (isPt() ? l.pt_BR : l.en);
  /** Black or white, whichever contrasts more with the tag's colour. @param {string} hex */
  function inkOn(hex) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!m) return "#000";
    const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? "#000" : "#fff";
  }

  /**
   * @param {{ api: Mettri.Api, onEvent: typeof MettriCore.onEvent, selectors: () => Mettri.whatsapp.SelectorTable }} deps
   */
  function createBadge({ api, onEvent, selectors }) {
    /** @type {HTMLElement | null} */
    let host = null;
    /** @type {ShadowRoot | null} */
    let root = null;
    /** @type {string | null} */
    let chat = null;
    /** @type {Set<string>} every key of the shown chat's person (a change to any redraws) */
    let keys = new Set();
    let safeMode = false;
    let ticket = 0;
    /** @type {Mettri.crm.CrmDefs | null} */
    let defs = null;
    /** @type {ResizeObserver | null} */
    let watching = null;
    /** The last decision, for tests and support: {chat, state: "shown" | "safe_mode" | "empty" | "no_chat" | "no_header"}. */
    let decision = { chat: /** @type {string | null} */ (null), state: "no_chat" };
    /** @param {string} state */
    const decided = (state) => (decision = { chat, state });

    function header() {
      const found = MettriReadDom.first(document, selectors(), "chat_header");
      return found instanceof HTMLElement ? found : null;
    }

    function remove() {
      watching?.disconnect();
      watching = null;
      host?.remove();
      host = null;
      root = null;
    }

    function place() {
      const head = header();
      if (!host || !head) return remove();
      const r = head.getBoundingClientRect();
      host.style.top = `${Math.round(r.bottom + 6)}px`;
      host.style.right = `${Math.max(0, Math.round(window.innerWidth - r.right + 16))}px`;
    }

    /** @param {Mettri.crm.CrmCard} card @param {Mettri.crm.CrmDefs} d */
    function draw(card, d) {
      const deal = card.row.deals[0];
      const stage = deal ? d.pipelines.flatMap((p) => p.stages).find((s) => s.id === deal.stage) : null;
      const tags = card.row.tags.map((id) => d.tags.find((t) => t.id === id)).filter((t) => !!t);
      const head = header();
      if (safeMode || !head || (!stage && !tags.length)) {
        decided(safeMode ? "safe_mode" : !head ? "no_header" : "empty");
        return remove();
      }
      if (!host) {
        host = document.createElement("mettri-crm-badge");
        host.style.cssText = "position:fixed;z-index:20;pointer-events:none;top:0;right:0";
        root = host.attachShadow({ mode: "open" });
        document.body.append(host);
        watching = new ResizeObserver(place);
      }
      watching?.disconnect(); // WhatsApp may draw a new header for each chat
      watching?.observe(head);
      const box = document.createElement("div");
      box.className = "badge";
      box.setAttribute("role", "note");
      box.dataset.chat = card.row.key;
      if (stage) {
        const s = document.createElement("span");
        s.className = "stage";
        s.textContent = label(stage.label);
        box.append(s);
      }
      for (const tag of tags.slice(0, TAGS_SHOWN)) {
        const c = document.createElement("span");
        c.className = "chip";
        c.textContent = tag.name;
        c.style.background = tag.color;
        c.style.color = inkOn(tag.color);
        box.append(c);
      }
      if (tags.length > TAGS_SHOWN) {
        const more = document.createElement("span");
        more.className = "more";
        more.textContent = `+${tags.length - TAGS_SHOWN}`;
        box.append(more);
      }
      const style = document.createElement("style");
      style.textContent = STYLE;
      root?.replaceChildren(style, box);
      place();
      decided("shown");
    }

    async function refresh() {
      const mine = ++ticket;
      if (!chat || safeMode) {
        decided(safeMode ? "safe_mode" : "no_chat");
        return remove();
      }
      try {
        defs ??= await api.crm.defs({});
        const card = await api.crm.card({ chat, notes: 0 });
        if (mine !== ticket || !defs) return;
        keys = new Set([card.row.key, ...card.chats]);
        draw(card, defs);
      } catch {
        if (mine === ticket) remove(); // the core is not ready: shown at the next change
      }
    }

    function start() {
      api.selftest.last({}).then((last) => {
        safeMode = !!last.outcome?.safe_mode;
        return api.capture.open_chat({});
      }).then((now) => {
        chat = chat ?? now.chat;
        refresh();
      }, () => undefined);
      window.addEventListener("resize", place);
    }

    onEvent((e) => {
      if (e.event === "capture.chat_opened") {
        chat = e.data.chat;
        keys = new Set(chat ? [chat] : []);
        refresh();
      } else if (e.event === "selftest.result") {
        safeMode = e.data.safe_mode;
        refresh();
      } else if (e.event === "crm.changed") {
        if (e.data.defs || e.data.many) defs = null;
        if (e.data.activity_only) return;
        if (e.data.defs || e.data.many || e.data.keys.some((k) => keys.has(k))) refresh();
      }
    });

    return { start, refresh, decision: () => decision };
  }

  return Object.freeze({ createBadge });
})();
