// @ts-check
// Scheduled messages: "send at" a date and time for a chat. The entry waits in the outbox with its
// time and goes out through the gate (policy and limits apply when it goes out); past the user's
// tolerance it waits for a confirmation in the outbox. Until it is handed out it can be edited
// (the old entry is cancelled first; if it already left, nothing new is made) or cancelled.
// One scheduler serves the "Envios" tab (any chat, every scheduled message) and the CRM card
// (its person's chat and messages: ../../crm/card/schedule.js).
import { api, el, errorText, fmtTime, onEvent, reason, t } from "../dom.js";

/** @typedef {Mettri.sending.OutboxEntry} Entry */

/** @param {Date} d a local "YYYY-MM-DDTHH:MM" for datetime-local */
const localValue = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * The form (text, time, and a chat picker unless the chat is fixed), its message line and the list.
 * @param {{
 *   id: string,
 *   chat?: () => string,
 *   keys?: () => string[],
 * }} o ``id`` prefixes the elements' ids; ``chat``: the fixed chat (the card's), else a picker;
 *   ``keys``: list only these chats' messages (every chat of the card's person)
 */
export function scheduler(o) {
  const id = (/** @type {string} */ s) => `${o.id}-${s}`;
  const chat = o.chat ? null : el("select", { id: id("chat"), name: "chat", required: true });
  const text = el("textarea", { id: id("text"), name: "text", rows: 3, required: true, maxlength: 65536, dataset: { fk: id("text") } });
  const when = el("input", { id: id("at"), name: "at", type: "datetime-local", required: true, dataset: { fk: id("at") } });
  const submit = el("button", { type: "submit", id: id("save") }, t("suggest_schedule_add"));
  const message = el("p", { id: id("message"), role: "status" });
  const list = el("ul", { class: "list outbox", id: id("list") });
  const form = el("form", { id: id("form") },
    chat ? [el("label", { for: chat.id }, t("suggest_schedule_chat")), chat] : null,
    el("label", { for: text.id }, t("suggest_schedule_text")), text,
    el("label", { for: when.id }, t("suggest_schedule_at")), when,
    submit);
  /** @type {Entry | null} the entry being edited */
  let editing = null;
  const target = () => (o.chat ? o.chat() : /** @type {HTMLSelectElement} */ (chat).value);

  /**
   * @param {string} what
   * @param {boolean} [error]
   */
  function say(what, error = false) {
    message.textContent = what;
    message.className = error ? "error" : "";
    message.setAttribute("role", error ? "alert" : "status");
  }

  /** @param {Entry} e */
  function edit(e) {
    editing = e;
    if (chat) chat.value = e.chat;
    text.value = e.text;
    when.value = localValue(new Date(e.next_at * 1000));
    submit.textContent = t("suggest_schedule_save");
    text.focus();
  }

  async function refresh() {
    const { entries, titles } = await api.outbox.list({ limit: 200 });
    const mine = o.keys ? new Set(o.keys()) : null;
    const waiting = entries.filter((e) => e.origin === "schedule" && (e.state === "approved" || e.state === "queued")
      && (!mine || mine.has(e.chat)));
    waiting.sort((a, b) => a.next_at - b.next_at);
    list.replaceChildren(
      ...(waiting.length ? [] : [el("li", { class: "meta" }, t("suggest_schedule_empty"))]),
      ...waiting.map((e) => el("li", { dataset: { id: e.id, state: e.state } },
        mine ? null : el("span", { class: "title" }, titles[e.chat] ?? ""),
        el("span", { class: "meta" }, t("suggest_schedule_for", [fmtTime(e.next_at)])),
        el("span", { class: "preview" }, e.text),
        e.decision && e.decision.verdict !== "allow" ? el("span", { class: "preview reason" }, reason(e.decision)) : null,
        el("div", { class: "actions" },
          el("button", { type: "button", class: "schedule-edit", onclick: () => edit(e) }, t("suggest_schedule_edit")),
          el("button", { type: "button", class: "schedule-cancel", onclick: async () => {
            try {
              await api.outbox.cancel({ id: e.id });
              say(t("suggest_schedule_cancelled"));
            } catch (err) {
              say(errorText(/** @type {Mettri.CallError} */ (err)), true);
            }
            refresh();
          } }, t("outboxCancel"))),
      )),
    );
    list.dataset.ready = "1"; // the tests' signal: the list is drawn from the outbox
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const at = new Date(when.value).getTime() / 1000;
    if (!target() || !text.value.trim() || !Number.isFinite(at)) return say(t("suggest_schedule_incomplete"), true);
    try {
      if (editing) await api.outbox.cancel({ id: editing.id }); // refused once handed out: then nothing new is made
      // The envelope form (.request): "send.request" is the command's own name.
      const reply = await api.send.request.request({ chat: target(), text: text.value, origin: "schedule", scheduled_at: at });
      if (!reply.ok) throw reply.error;
      const res = reply.result;
      say(res.decision.verdict === "block" ? reason(res.decision) : t("suggest_schedule_done", [fmtTime(at)]),
        res.decision.verdict === "block");
      editing = null;
      text.value = "";
      text.defaultValue = "";
      submit.textContent = t("suggest_schedule_add");
    } catch (err) {
      say(errorText(/** @type {Mettri.CallError} */ (err)), true);
    }
    refresh();
  });

  when.value = localValue(new Date(Date.now() + 3600_000));
  when.defaultValue = when.value;
  const chats = chat
    ? api.chats.list({ limit: 500 }).then(({ chats: all }) => chat.replaceChildren(
      el("option", { value: "" }, t("suggest_schedule_pick")),
      ...all.map((c) => el("option", { value: c.key }, c.title))))
    : Promise.resolve();
  return { form, message, list, refresh, ready: () => Promise.all([chats, refresh()]) };
}

/** The "Envios" tab's part: every scheduled message, for any chat. @param {HTMLElement} root */
export function mount(root) {
  const s = scheduler({ id: "schedule" });
  root.append(el("section", { class: "card" }, el("h2", {}, t("suggest_schedule_title")), s.form, s.message, s.list));
  onEvent((env) => env.event === "outbox.changed" && s.refresh());
  return s.ready();
}
