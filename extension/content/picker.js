// @ts-check
// The composer's "/" picker: typing "/" and a shortcut or words in WhatsApp's composer opens a
// small list of templates, filled in for the open chat by the core (templates.pick). Arrow keys
// choose, Enter or Tab inserts the text in place of "/…" through the sender's insertion path,
// Escape closes. It never sends: the user presses Enter again, and that send is the user's own.
// The list lives in a zero-height box in the footer with its own shadow root (it overlays the
// conversation and never moves WhatsApp's layout); texts are drawn as text.
var MettriPicker = (() => {
  const MAX_QUERY = 60;
  /**
   * @param {string} key
   * @param {string[]} [subs]
   */
  const t = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
  /** @param {string | null | undefined} s */
  const clean = (s) => (s || "").replace(/[\u202a-\u202e\u200e\u200f]/g, "").replace(/\n+$/, "").trim();
  const UI = typeof chrome.i18n.getUILanguage === "function" ? chrome.i18n.getUILanguage() : "pt-BR";
  /** @param {string} pt @param {string} en */
  const pick = (pt, en) => (UI.toLowerCase().startsWith("pt") ? pt : en);

  const STYLE = `
    .box { position: absolute; left: 8px; bottom: 4px; z-index: 6; width: min(460px, calc(100% - 16px)); box-sizing: border-box;
      background: #fff; color: #1f2328; border: 1px solid #b7c4bd; border-radius: 8px; padding: 4px 0;
      font: 13px/1.35 system-ui, sans-serif; box-shadow: 0 2px 10px rgba(0,0,0,.18); max-height: 50vh; overflow: auto; }
    .head { font-weight: 600; font-size: 12px; color: #3c4a43; padding: 2px 10px 4px; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { padding: 5px 10px; cursor: pointer; }
    li[aria-selected="true"] { background: #dff3ea; }
    .name { font-weight: 600; }
    .shortcut { color: #0b6b4a; margin-left: 6px; font-family: ui-monospace, monospace; }
    .text { white-space: pre-wrap; color: #3c4a43; max-height: 3.9em; overflow: hidden; }
    .problem { color: #a1261d; }
    .help, .empty { color: #56645d; font-size: 12px; padding: 4px 10px 2px; }
  `;

  /**
   * @param {{
   *   api: Mettri.Api,
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   chatKey: () => string | null,
   *   actions?: typeof MettriActions,
   * }} deps
   */
  function createPicker({ api, selectors, chatKey, actions = MettriActions }) {
    /** @type {HTMLElement | null} */
    let host = null;
    /** @type {Mettri.templates.PickItem[]} */
    let items = [];
    let selected = 0;
    let asked = 0; // answers to older questions are dropped
    let inserting = false;
    let chooseWhenDrawn = false; // Enter pressed on "/pix" before its list arrived
    /** @type {string | null} the query on screen */
    let query = null;
    let contact = ""; // whom the texts were filled for: said in the list's head, so a wrong chat shows

    const composer = () => actions.firstMatch(selectors, "composer");

    /** The "/…" typed in the composer, or null when the composer holds anything else. */
    function typedQuery() {
      const c = composer();
      if (!c) return null;
      const text = clean(c.innerText);
      if (!text.startsWith("/") || text.length > MAX_QUERY + 1 || text.includes("\n")) return null;
      return text.slice(1);
    }

    function close() {
      if (host) host.remove();
      host = null;
      items = [];
      query = null;
    }

    function draw() {
      const c = composer();
      const footer = c && c.closest("footer");
      if (!footer) return close();
      if (!host || !host.isConnected) {
        host = document.createElement("div");
        host.setAttribute("data-mettri", "picker");
        host.style.cssText = "position:relative;height:0;width:100%;overflow:visible;";
        host.attachShadow({ mode: "open" });
        footer.prepend(host);
      }
      const root = /** @type {ShadowRoot} */ (host.shadowRoot);
      const style = document.createElement("style");
      style.textContent = STYLE;
      const box = document.createElement("div");
      box.className = "box";
      const head = document.createElement("div");
      head.className = "head";
      head.id = "mettri-picker-head";
      head.textContent = contact ? t("tpl_picker_for", [contact]) : t("tpl_picker_label");
      const list = document.createElement("ul");
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-labelledby", "mettri-picker-head");
      items.forEach((item, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === selected));
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = item.template.name;
        li.append(name);
        if (item.template.shortcut) {
          const sc = document.createElement("span");
          sc.className = "shortcut";
          sc.textContent = "/" + item.template.shortcut;
          li.append(sc);
        }
        const text = document.createElement("div");
        if (item.text != null) {
          text.className = "text";
          text.textContent = item.text;
        } else {
          text.className = "problem";
          text.textContent = item.problems.map((p) => pick(p.pt_BR, p.en)).join(" ");
        }
        li.append(text);
        li.addEventListener("mousedown", (ev) => {
          ev.preventDefault(); // keep the focus (and the caret) in the composer
          selected = i;
          choose();
        });
        list.append(li);
      });
      const help = document.createElement("div");
      help.className = items.length ? "help" : "empty";
      help.setAttribute("role", "status");
      help.textContent = items.length ? t("tpl_picker_help") : t("tpl_picker_empty", [query || ""]);
      box.append(head, list, help);
      root.replaceChildren(style, box);
      host.dataset.items = String(items.length); // the tests' signal: drawn, with this many templates
      host.dataset.query = query || "";
    }

    async function refresh() {
      if (inserting) return;
      const q = typedQuery();
      if (q === null) return close();
      const mine = ++asked;
      const reply = await api.templates.pick.request({
        query: q, chat: chatKey(), locale: navigator.language, utc_offset_min: -new Date().getTimezoneOffset(), limit: 8,
      });
      if (mine !== asked || typedQuery() !== q) return;
      if (!reply.ok) return close();
      items = reply.result.items;
      contact = reply.result.contact;
      selected = 0;
      query = q;
      draw();
      if (chooseWhenDrawn) {
        chooseWhenDrawn = false;
        choose();
      }
    }

    async function choose() {
      const item = items[selected];
      if (!item || item.text == null) return; // a template that cannot be filled in is never inserted
      inserting = true;
      close();
      try {
        await actions.replaceComposerText(selectors, item.text);
      } finally {
        inserting = false;
      }
    }

    /** @param {KeyboardEvent} ev */
    function onKey(ev) {
      const c = composer();
      if (!c || !(ev.target instanceof Node) || !c.contains(ev.target)) return;
      const keys = ["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"];
      if (!keys.includes(ev.key) || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (!host || query === null) {
        // "/pix" typed and Enter pressed before the list arrived: insert when it does, never send "/pix".
        if (ev.key === "Enter" && typedQuery() !== null && !inserting) {
          ev.preventDefault();
          ev.stopImmediatePropagation();
          chooseWhenDrawn = true;
          refresh();
        }
        return;
      }
      // No template matches: the keys are WhatsApp's again (the user may send "/…" as it is).
      if (!items.length && ev.key !== "Escape") return close();
      // Ours, not WhatsApp's: Enter here inserts the template; it must never reach the composer's send.
      ev.preventDefault();
      ev.stopImmediatePropagation();
      if (ev.key === "Escape") return close();
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!items.length) return;
        selected = (selected + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        return draw();
      }
      choose();
    }

    /** Lexical takes the typing over (beforeinput), so no input event comes: a key let go is the cue.
     * @param {Event} ev */
    function onInput(ev) {
      if (ev instanceof KeyboardEvent && ["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"].includes(ev.key)) return;
      const c = composer();
      if (c && ev.target instanceof Node && c.contains(ev.target)) refresh();
    }

    return {
      start() {
        window.addEventListener("keydown", onKey, true); // capture: before the composer's own handlers
        document.addEventListener("input", onInput, true);
        document.addEventListener("keyup", onInput, true);
      },
      stop() {
        window.removeEventListener("keydown", onKey, true);
        document.removeEventListener("input", onInput, true);
        document.removeEventListener("keyup", onInput, true);
        close();
      },
    };
  }

  return Object.freeze({ createPicker });
})();
