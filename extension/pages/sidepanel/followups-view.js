// @ts-check
// The "Retornos" tab: today's and overdue follow-ups of every customer, earliest first, with
// done, snooze and "open the chat". The tab's badge counts the overdue ones.
import { reminderItem } from "../crm/card/reminders.js";
import { refusal } from "../crm/card/context.js";
import { utcOffsetMin } from "../crm/format.js";
import { count, el, t } from "./dom.js";

/** @type {HTMLElement | null} */
let list = null;
/** @type {HTMLElement | null} */
let status = null;
/** @type {HTMLElement | null} */
let host = null;
let timer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);

/** The overdue count on the tab itself. @param {number} n */
function badge(n) {
  const tab = document.querySelector('.tabs [data-view="followups"]');
  if (!tab) return;
  let b = tab.querySelector(".count");
  if (!b) tab.append((b = el("span", { class: "count" })));
  // The name is the visible text plus a word only screen readers hear ("Retornos 3 atrasados"):
  // an aria-label that rewords it would hide what sighted users see (axe: label-content-name-mismatch).
  b.replaceChildren(...(n ? [count(n), el("span", { class: "visually-hidden" }, " " + t("followup_overdueWord"))] : []));
  /** @type {HTMLElement} */ (b).hidden = !n;
}

/** @param {Mettri.crm.CrmReminder} r */
function item(r) {
  const open = el("button", { type: "button", class: "link", "aria-label": t("followup_openChatOf", [r.name]), onclick: async () => {
    try {
      await MettriApi.chat.open({ chat: r.key });
    } catch (err) {
      if (status) status.textContent = refusal(err).text;
    }
  } }, t("followup_openChat"));
  return reminderItem(r, { host: /** @type {HTMLElement} */ (host), fail: (e) => refusal(e).text, after: () => refresh(), showName: true, extra: [open] });
}

export async function refresh() {
  try {
    const { reminders, total } = await MettriApi.crm.reminders.list({ scope: "today", utc_offset_min: utcOffsetMin(), limit: 200 });
    const overdue = reminders.filter((r) => r.overdue);
    const today = reminders.filter((r) => !r.overdue);
    badge(overdue.length);
    if (!list) return;
    list.replaceChildren(
      el("h3", {}, t("followup_overdue"), ` (${count(overdue.length)})`),
      el("ul", { class: "reminders", id: "followups-overdue" }, overdue.length ? overdue.map(item) : el("li", { class: "empty" }, t("followup_nothingOverdue"))),
      el("h3", {}, t("followup_today"), ` (${count(today.length)})`),
      el("ul", { class: "reminders", id: "followups-today" }, today.length ? today.map(item) : el("li", { class: "empty" }, t("followup_nothingToday"))),
    );
    if (total > reminders.length) list.append(el("p", { class: "meta" }, t("followup_more", [count(total - reminders.length)])));
  } catch (err) {
    if (status) status.textContent = refusal(err).text;
  }
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 150);
}

/** @param {HTMLElement} root */
export function mount(root) {
  host = root;
  status = el("p", { class: "state", role: "status" });
  list = el("div", { id: "followups" });
  root.replaceChildren(el("h2", {}, t("followup_title")), status, list);
  return refresh();
}

export function shown() {
  refresh();
}

// The badge stays current even before the tab is opened.
MettriCore.onEvent((e) => {
  if (e.event === "crm.reminders.changed" || e.event === "clock.moved" || (e.event === "core.boot" && e.data.stage === "ready")) later();
});
setInterval(later, 60_000); // reminders come due with time alone
later();
