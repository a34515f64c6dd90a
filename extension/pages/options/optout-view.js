// @ts-check
// The opt-out list: who asked not to receive messages (the send gate blocks every message to
// them). The user adds someone by hand (they asked in person) or takes them off (they asked to
// hear from the business again); each person's consent history says where every change came
// from. Names and notes are drawn as text.
import { el, fmtTime } from "../sidepanel/dom.js";

const api = MettriApi;
const { t, errorText } = MettriI18n;

/** @param {HTMLElement} root */
export async function mountOptouts(root) {
  /** @param {number} s epoch seconds */
  const when = (s) => el("time", { datetime: new Date(s * 1000).toISOString() }, fmtTime(s));

  const chat = el("select", { id: "optout-chat", name: "chat" });
  const note = el("input", { id: "optout-note", name: "note", type: "text", maxlength: 500, autocomplete: "off" });
  const message = el("p", { id: "optout-message", role: "status" });
  const list = el("ul", { id: "optout-list", class: "optouts" });
  const form = el("form", { id: "optout-add", class: "optout-add" },
    el("label", { for: "optout-chat" }, t("optoutChat")), chat,
    el("label", { for: "optout-note" }, t("optoutNote")), note,
    el("button", { type: "submit", id: "optout-add-button" }, t("optoutAdd")),
  );
  root.replaceChildren(el("p", { class: "note" }, t("optoutIntro")), form, message, list);

  /** @type {Record<string, string>} names of the chats offered, by key */
  let names = {};

  /**
   * @param {string} text
   * @param {boolean} [error]
   */
  function say(text, error = false) {
    message.textContent = text;
    message.className = error ? "error" : "";
    message.setAttribute("role", error ? "alert" : "status");
  }

  async function fillChats() {
    const { chats } = await api.chats.list({ limit: 5000, with_scanned: true });
    names = Object.fromEntries(chats.map((c) => [c.key, c.title]));
    chat.replaceChildren(
      el("option", { value: "" }, t("optoutPick")),
      ...chats.map((c) => el("option", { value: c.key }, c.title)),
    );
  }

  /**
   * One person's consent history, oldest first.
   * @param {string} key
   * @param {HTMLElement} holder
   */
  async function showHistory(key, holder) {
    const { events } = await api.optout.history({ chat: key });
    holder.replaceChildren(
      el("ol", { class: "history" },
        ...events.map((e) => el("li", { dataset: { kind: e.kind, source: e.source } },
          when(e.ts), " ",
          t(e.kind === "opt_out" ? "optoutEventOut" : "optoutEventIn"), " ",
          t(e.source === "message" ? "optoutByMessage" : "optoutByUser"),
          e.text ? el("q", {}, e.text) : null,
        )),
      ),
    );
  }

  /**
   * @param {string} key
   * @param {boolean} optedOut
   * @param {string} text
   */
  async function record(key, optedOut, text) {
    try {
      await api.optout.set({ chat: key, opted_out: optedOut, note: text });
      say(t(optedOut ? "optoutAdded" : "optoutRemoved", [names[key] ?? ""]));
      return true;
    } catch (err) {
      say(errorText(/** @type {Mettri.CallError} */ (err)), true);
      return false;
    } finally {
      await refresh();
    }
  }

  async function refresh() {
    const { records, titles } = await api.optout.list({});
    names = { ...names, ...titles };
    list.replaceChildren(
      ...(records.length ? [] : [el("li", { class: "empty" }, t("optoutEmpty"))]),
      ...records.map((r) => {
        const name = titles[r.chat] ?? "";
        const history = el("div", { class: "optout-history" });
        const toggle = el("button", { type: "button", class: "optout-history-toggle", "aria-expanded": "false" }, t("optoutHistory"));
        toggle.addEventListener("click", async () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          if (open) await showHistory(r.chat, history);
          else history.replaceChildren();
        });
        return el("li", { dataset: { chat: r.chat } },
          el("span", { class: "title" }, name), " ",
          el("span", { class: "meta" }, t("optoutSince"), " ", when(r.since)), " ",
          el("button", { type: "button", class: "optout-remove", "aria-label": t("optoutRemoveNamed", [name]),
                         onclick: () => record(r.chat, false, "") }, t("optoutRemove")), " ",
          toggle, history,
        );
      }),
    );
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!chat.value) return say(t("optoutPickFirst"), true);
    if (await record(chat.value, true, note.value.trim())) note.value = "";
  });
  MettriCore.onEvent((env) => env.event === "optout.changed" && refresh());
  await Promise.all([fillChats(), refresh()]);
}
