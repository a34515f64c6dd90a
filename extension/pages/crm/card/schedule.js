// @ts-check
// "Enviar em" on the card: schedule a message to this chat and see the person's scheduled
// messages (every chat of the person). The same scheduler as the "Envios" tab
// (../../sidepanel/sending/schedule-section.js): one form, one list, one way to edit and cancel.
import { el, onEvent, t } from "../../sidepanel/dom.js";
import { scheduler } from "../../sidepanel/sending/schedule-section.js";

/** @typedef {import("./context.js").CardContext} CardContext */

/** @type {ReturnType<typeof scheduler> | null} the list on screen (a card is redrawn often) */
let live = null;
onEvent((env) => {
  if (env.event === "outbox.changed" && live && live.list.isConnected) live.refresh().catch(() => undefined);
});

/** @param {CardContext} ctx */
export function render(ctx) {
  const s = scheduler({ id: "crm-schedule", chat: () => ctx.card.chat, keys: () => [ctx.card.chat, ctx.card.row.key, ...ctx.card.chats] });
  live = s;
  s.refresh().catch((err) => console.warn("mettri: scheduled messages", err));
  return el("section", { class: "card-section", "aria-labelledby": "crm-schedule-h" },
    el("h3", { id: "crm-schedule-h" }, t("suggest_schedule_title")), s.form, s.message, s.list);
}

export const section = { id: "schedule", order: 45, render };
