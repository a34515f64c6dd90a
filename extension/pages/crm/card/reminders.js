// @ts-check
// The person's open follow-ups: add one (with quick times), mark done, snooze, edit, delete.
// The extension's alarms notify them at their time (background/reminders.js).
import { el, t } from "../../sidepanel/dom.js";
import { fromLocalInput, toLocalInput, when } from "../format.js";
import { writeWithVersion } from "../write.js";
import { ask } from "../widgets.js";

/** @typedef {import("./context.js").CardContext} CardContext */
/** @typedef {Mettri.crm.CrmReminder} Reminder */

/** The reminder being edited on this page (it stays open when the card is redrawn). */
let editing = /** @type {string | null} */ (null);

/** Tomorrow at 9:00 local time, epoch seconds. */
export function tomorrowNine() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.getTime() / 1000;
}

/** The snooze choices: [label key, args]. */
export const SNOOZES = /** @type {const} */ ([
  ["reminder_snooze1h", { minutes: 60 }],
  ["reminder_tomorrow", null],
  ["reminder_week", { minutes: 7 * 24 * 60 }],
]);

/**
 * Done / snooze / edit / delete with the reminder's version; a reminder another page changed
 * meanwhile is asked about, never overwritten.
 * @param {HTMLElement} host where questions appear
 * @param {Reminder} r
 * @param {(version: number) => Promise<unknown>} send
 */
export function reminderWrite(host, r, send) {
  return writeWithVersion({
    base: r,
    version: (x) => x.version,
    send,
    same: (a, b) => a.due_at === b.due_at && a.text === b.text && a.done === b.done,
    ask: (now) => ask(host, t("reminder_changed", [now.text, when(now.due_at)]), t("card_conflictMine"), t("card_conflictTheirs")),
  });
}

/**
 * One reminder with its actions.
 * @param {Reminder} r
 * @param {{ host: HTMLElement, fail: (err: unknown) => string, after: () => void, showName?: boolean, extra?: HTMLElement[] }} o
 */
export function reminderItem(r, o) {
  const error = el("span", { class: "field-error", role: "alert" });
  /** @param {(version: number) => Promise<unknown>} send */
  const run = async (send) => {
    error.textContent = "";
    try {
      await reminderWrite(o.host, r, send);
      o.after();
    } catch (err) {
      error.textContent = o.fail(err);
    }
  };
  const snooze = el("select", { "aria-label": t("reminder_snoozeLabel", [r.text]), class: "snooze", dataset: { fk: `snooze-${r.id}` } },
    el("option", { value: "" }, t("reminder_snooze")),
    SNOOZES.map(([key], i) => el("option", { value: String(i) }, t(key))));
  snooze.addEventListener("change", () => {
    const choice = SNOOZES[Number(snooze.value)];
    if (!choice) return;
    const args = choice[1] ?? { until: tomorrowNine() };
    run((version) => MettriApi.crm.reminder.snooze({ id: r.id, version, ...args }));
  });
  const li = el("li", { class: `reminder${r.overdue ? " overdue" : ""}`, dataset: { reminder: r.id } },
    el("span", { class: "what" }, o.showName ? el("strong", {}, r.name) : null, o.showName ? " — " : null, r.text),
    el("span", { class: "due" }, r.overdue ? t("reminder_overdueAt", [when(r.due_at)]) : when(r.due_at)),
    el("span", { class: "actions" },
      el("button", { type: "button", class: "done", dataset: { fk: `done-${r.id}` }, "aria-label": t("reminder_doneNamed", [r.text]),
        onclick: () => run((version) => MettriApi.crm.reminder.done({ id: r.id, version, done: true })) }, t("reminder_done")),
      snooze,
      ...(o.extra ?? [])),
    error);
  return li;
}

/**
 * Edit a reminder in place: text and time, or delete it.
 * @param {CardContext} ctx
 * @param {Reminder} r
 * @param {HTMLElement} li
 */
function edit(ctx, r, li, focus = true) {
  editing = r.id;
  const text = el("input", { type: "text", maxlength: 500, value: r.text, "aria-label": t("reminder_text"), dataset: { fk: `rem-text-${r.id}` } });
  const due = el("input", { type: "datetime-local", value: toLocalInput(r.due_at), "aria-label": t("reminder_when"), dataset: { fk: `rem-due-${r.id}` } });
  const error = el("span", { class: "field-error", role: "alert" });
  /** @param {(version: number) => Promise<unknown>} send */
  const run = async (send) => {
    try {
      await reminderWrite(ctx.root, r, send);
      editing = null;
      text.defaultValue = text.value;
      due.defaultValue = due.value;
      await ctx.reload();
    } catch (err) {
      error.textContent = ctx.fail(err);
    }
  };
  const form = el("div", { class: "edit" }, text, due,
    el("div", { class: "row" },
      el("button", { type: "button", class: "primary", onclick: () => run((version) =>
        MettriApi.crm.reminder.update({ id: r.id, version, text: text.value, due_at: fromLocalInput(due.value) ?? r.due_at })) }, t("card_save")),
      el("button", { type: "button", onclick: () => run((version) => MettriApi.crm.reminder.delete({ id: r.id, version })) }, t("card_delete")),
      el("button", { type: "button", onclick: () => { editing = null; ctx.reload(); } }, t("card_cancel"))),
    error);
  li.replaceChildren(form);
  if (focus) text.focus();
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const section = el("section", { class: "card-section", "aria-labelledby": "crm-rem-h" });
  const list = el("ul", { class: "reminders", id: "crm-reminders" });
  for (const r of ctx.card.reminders) {
    /** @type {HTMLLIElement} */
    let li;
    const editButton = el("button", { type: "button", class: "link", "aria-label": t("reminder_editNamed", [r.text]), onclick: () => edit(ctx, r, li) }, t("card_edit"));
    li = reminderItem(r, { host: ctx.root, fail: (e) => ctx.fail(e), after: () => ctx.reload(), extra: [editButton] });
    if (editing === r.id) edit(ctx, r, li, false);
    list.append(li);
  }
  if (!ctx.card.reminders.length) list.append(el("li", { class: "empty" }, t("reminder_none")));

  const text = el("input", { type: "text", id: "crm-reminder-text", maxlength: 500, placeholder: t("reminder_hint"),
    "aria-keyshortcuts": "l", dataset: { fk: "reminder-text" } });
  const due = el("input", { type: "datetime-local", id: "crm-reminder-due", value: toLocalInput(tomorrowNine()), dataset: { fk: "reminder-due" } });
  const error = el("p", { class: "field-error", role: "alert", id: "crm-reminder-error" });
  const add = async () => {
    error.textContent = "";
    const at = fromLocalInput(due.value);
    if (!text.value.trim() || at === null) {
      error.textContent = t(at === null ? "reminder_needsTime" : "reminder_needsText");
      return;
    }
    try {
      await MettriApi.crm.reminder.add({ chat: ctx.card.row.key, due_at: at, text: text.value });
      text.value = "";
      await ctx.reload();
    } catch (err) {
      error.textContent = ctx.fail(err);
    }
  };
  /** @param {string} key @param {() => number} at */
  const quick = (key, at) => el("button", { type: "button", class: "chip-button", onclick: () => { due.value = toLocalInput(at()); } }, t(key));
  text.addEventListener("keydown", (e) => e.key === "Enter" && add());
  section.append(
    el("h3", { id: "crm-rem-h" }, t("reminder_title")),
    list,
    el("div", { class: "add-reminder" },
      el("label", { for: text.id, class: "sr-only" }, t("reminder_text")), text,
      el("div", { class: "row" },
        el("label", { for: due.id, class: "sr-only" }, t("reminder_when")), due,
        el("button", { type: "button", id: "crm-reminder-add", onclick: add }, t("card_add"))),
      el("div", { class: "row quick" },
        quick("reminder_in1h", () => Math.ceil(Date.now() / 60_000) * 60 + 3600),
        quick("reminder_tomorrow", tomorrowNine))),
    error,
  );
  return section;
}

export const section = { id: "reminders", order: 40, render };
