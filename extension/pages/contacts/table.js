// @ts-check
// The contacts table: one row per record (name, number, tags, stage, value, last activity,
// next reminder), sortable column headers, a checkbox per row for bulk actions and a button
// that opens the person's chat in WhatsApp. Names and tags are user text: rendered as text.
import { el, t } from "../sidepanel/dom.js";
import { pipelineOf, stageOf, stageName, tagOf } from "../crm/defs.js";
import { money, when } from "../crm/format.js";
import { tagChip } from "../crm/widgets.js";

/** Sortable columns: [sort key, message key]; null: not sortable. */
export const COLUMNS = /** @type {const} */ ([
  ["name", "contacts_colName"], [null, "contacts_colPhone"], [null, "contacts_colTags"], ["stage", "contacts_colStage"],
  ["value", "contacts_colValue"], ["last_activity", "contacts_colActivity"], ["next_due", "contacts_colReminder"],
]);

/**
 * @param {HTMLElement} thead
 * @param {{ sort: Mettri.crm.SortKey, descending: boolean }} state
 * @param {(sort: Mettri.crm.SortKey) => void} onSort
 * @param {HTMLInputElement} selectAll
 */
export function drawHead(thead, state, onSort, selectAll) {
  thead.replaceChildren(el("tr", {},
    el("th", { scope: "col", class: "pick" }, selectAll),
    COLUMNS.map(([key, label]) => {
      if (!key) return el("th", { scope: "col" }, t(label));
      const active = state.sort === key;
      return el("th", { scope: "col", "aria-sort": active ? (state.descending ? "descending" : "ascending") : "none" },
        el("button", { type: "button", class: "sort", dataset: { sort: key }, onclick: () => onSort(key) },
          t(label), active ? (state.descending ? " ▼" : " ▲") : ""));
    }),
    el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, t("contacts_colActions")))));
}

/**
 * The deal shown: the one in the filtered pipeline (or the default one).
 * @param {Mettri.crm.CrmRow} row
 * @param {Mettri.crm.CrmDefs} d
 * @param {string | null | undefined} pipeline
 */
export function dealOf(row, d, pipeline) {
  const p = pipelineOf(d, pipeline);
  return row.deals.find((x) => x.pipeline === p?.id) ?? null;
}

/**
 * @param {Mettri.crm.CrmRow} row
 * @param {{ defs: Mettri.crm.CrmDefs, pipeline: string | null | undefined, now: number,
 *   selected: Set<string>, onPick: (key: string, on: boolean) => void, onOpen: (row: Mettri.crm.CrmRow) => void,
 *   actions?: HTMLElement[] }} o  ``actions``: more buttons beside "open the chat" (split a merged contact off)
 */
export function drawRow(row, o) {
  const deal = dealOf(row, o.defs, o.pipeline);
  const stage = deal ? stageOf(o.defs, deal.stage) : null;
  const pick = el("input", { type: "checkbox", class: "row-pick", "aria-label": t("contacts_pickNamed", [row.name]),
    onchange: (/** @type {Event} */ e) => o.onPick(row.key, /** @type {HTMLInputElement} */ (e.target).checked) });
  pick.checked = o.selected.has(row.key);
  const tags = row.tags.map((id) => tagOf(o.defs, id)).filter((x) => x !== null);
  const activity = el("td", { class: "activity" }, when(row.last_activity) || t("contacts_never"));
  if (row.waiting) activity.append(" ", el("span", { class: "badge waiting" }, t("contacts_waitingBadge")));
  const reminder = el("td", {}, row.next_due ? when(row.next_due) : "");
  if (row.overdue) reminder.append(" ", el("span", { class: "badge overdue" }, t("contacts_overdueBadge", [String(row.overdue)])));
  return el("tr", { dataset: { key: row.key } },
    el("td", { class: "pick" }, pick),
    el("th", { scope: "row", class: "name" }, row.name, row.is_group ? el("span", { class: "meta" }, ` · ${t("contacts_group")}`) : ""),
    el("td", { class: "phone" }, row.phone_display ?? ""),
    el("td", { class: "tags" }, tags.map((x) => tagChip(/** @type {Mettri.crm.CrmTag} */ (x)))),
    el("td", { class: "stage" }, stage ? stageName(stage.stage) : ""),
    el("td", { class: "value num" }, deal ? money(deal.value_cents) : ""),
    activity,
    reminder,
    el("td", {}, el("button", { type: "button", class: "link open-chat", onclick: () => o.onOpen(row),
      "aria-label": t("contacts_openChatNamed", [row.name]) }, t("contacts_openChat")), ...(o.actions ?? [])));
}
