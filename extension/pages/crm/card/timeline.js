// @ts-check
// The record's history, newest first, loaded when opened: messages, notes, stage changes,
// reminders, sends, imports, merges.
import { el, t } from "../../sidepanel/dom.js";
import { label, when } from "../format.js";

/** @typedef {import("./context.js").CardContext} CardContext */

/** Records whose history is open on this page (it stays open across redraws). */
const open = new Set();

/** @param {CardContext} ctx */
export function render(ctx) {
  const key = ctx.card.row.key;
  const list = el("ol", { class: "timeline", id: "crm-timeline" });
  const more = el("button", { type: "button", class: "link", hidden: true }, t("card_timelineMore"));
  const details = el("details", { class: "card-section", open: open.has(key) },
    el("summary", {}, t("card_timeline")), list, more);
  /** @type {string | null} */
  let cursor = null;
  const load = async () => {
    try {
      const page = await MettriApi.crm.timeline({ chat: key, cursor, limit: 20 });
      list.append(...page.items.map((i) => el("li", { class: `tl-${i.kind}` },
        el("span", { class: "meta" }, when(i.ts)),
        el("span", { class: "summary" }, label(i.summary)),
        i.text ? el("span", { class: "preview" }, i.text) : null)));
      if (!list.childElementCount) list.append(el("li", { class: "empty" }, t("card_timelineEmpty")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      list.append(el("li", { class: "field-error" }, ctx.fail(err)));
    }
  };
  details.addEventListener("toggle", () => {
    if (details.open) open.add(key);
    else open.delete(key);
    if (details.open && !list.childElementCount) load();
  });
  more.addEventListener("click", load);
  if (details.open) load();
  return details;
}

export const section = { id: "timeline", order: 60, render };
