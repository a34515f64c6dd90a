// @ts-check
// The card's head: who it is (the name, editable), the number, the last interaction and
// whether the customer waits for an answer; open the chat in WhatsApp when the card does not
// follow it already.
import { el, t } from "../../sidepanel/dom.js";
import { fromNow, when } from "../format.js";

/** @typedef {import("./context.js").CardContext} CardContext */

/** The record whose name is being edited on this page (it stays open when the card is redrawn). */
let editing = /** @type {string | null} */ (null);

/** @param {CardContext} ctx */
function nameLine(ctx) {
  const { row } = ctx.card;
  const title = el("h2", { class: "card-name", id: "crm-card-name" }, row.name);
  const edit = el("button", { type: "button", class: "link", dataset: { fk: "name-edit" }, "aria-label": t("card_nameEdit") }, t("card_edit"));
  const line = el("div", { class: "card-title" }, title, edit);
  const open = (focus = true) => {
    editing = row.key;
    const input = el("input", { type: "text", maxlength: 120, value: row.name, "aria-label": t("card_name"), dataset: { fk: "name-input" } });
    const error = el("span", { class: "field-error", role: "alert" });
    const close = () => {
      editing = null;
      line.replaceWith(nameLine(ctx));
    };
    const save = async () => {
      if (input.value.trim() === row.name) return close();
      try {
        input.defaultValue = input.value; // submitted, not typing
        editing = null;
        await ctx.updateRecord({ person_name: input.value.trim() });
      } catch (err) {
        error.textContent = ctx.fail(err);
      }
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") save();
      if (e.key === "Escape") close();
    });
    line.replaceChildren(input, el("button", { type: "button", onclick: save }, t("card_save")), error);
    if (focus) {
      input.focus();
      input.select();
    }
  };
  edit.addEventListener("click", () => open());
  if (editing === row.key) open(false);
  return line;
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const { row, activity } = ctx.card;
  const facts = el("p", { class: "card-facts" });
  if (row.phone_display) facts.append(el("span", { class: "phone" }, row.phone_display));
  if (row.is_group) facts.append(el("span", { class: "pill" }, t("card_group")));
  const last = el("p", { class: "card-last", id: "crm-last" });
  if (activity.last_at) {
    last.append(t(activity.last_direction === "in" ? "card_lastIn" : "card_lastOut", [when(activity.last_at)]));
    if (activity.last_preview) last.append(el("span", { class: "preview" }, activity.last_preview));
  } else {
    last.append(t("card_noMessages"));
  }
  const flags = el("p", { class: "card-flags" });
  if (activity.waiting && activity.waiting_since) {
    flags.append(el("span", { class: "pill waiting", id: "crm-waiting" },
      t("card_waitingSince", [fromNow(activity.waiting_since - Date.now() / 1000)])));
  }
  if (row.overdue) flags.append(el("span", { class: "pill overdue" }, t("card_overdueCount", [String(row.overdue)])));
  const head = el("header", { class: "card-head" }, nameLine(ctx), facts, last);
  if (flags.childNodes.length) head.append(flags);
  if (!ctx.followsWhatsApp) {
    const status = el("span", { class: "state", role: "status" });
    head.append(el("div", { class: "row" },
      el("button", { type: "button", dataset: { fk: "open-chat" }, onclick: async () => {
        status.textContent = t("searchOpening");
        try {
          await MettriApi.chat.open({ chat: ctx.card.chat });
          status.textContent = t("card_openedInWhatsApp");
        } catch (err) {
          status.textContent = ctx.fail(err);
        }
      } }, t("card_openInWhatsApp")), status));
  }
  return head;
}

export const section = { id: "header", order: 0, render };
