// @ts-check
// Custom fields, each with the control its type needs and its validation error under it, in
// the page's language (the core checks and says why).
import { el, t } from "../../sidepanel/dom.js";
import { moneyInput, number } from "../format.js";
import { labelled } from "../widgets.js";

/** @typedef {import("./context.js").CardContext} CardContext */

const INPUT_TYPES = { text: "text", number: "text", money: "text", date: "date", email: "email", phone: "tel" };

/**
 * The control for one field, showing its value as the user types it in this locale.
 * @param {Mettri.crm.CrmField} f
 * @param {Mettri.crm.Value | undefined} value
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
export function fieldControl(f, value) {
  if (f.type === "choice") {
    return el("select", { dataset: { fk: `field-${f.id}`, field: f.id } },
      el("option", { value: "" }, t("crmChoose")),
      f.options.map((o) => el("option", { value: o.id, selected: o.id === value }, o.label)));
  }
  const shown = value == null ? ""
    : f.type === "money" && typeof value === "number" ? moneyInput(value)
    : f.type === "number" && typeof value === "number" ? number(value)
    : String(value);
  const input = el("input", {
    type: INPUT_TYPES[f.type], value: shown, autocomplete: "off", maxlength: f.type === "text" ? 1000 : 200,
    inputmode: f.type === "number" || f.type === "money" ? "decimal" : null,
    placeholder: f.type === "money" ? moneyInput(0) : null,
    dataset: { fk: `field-${f.id}`, field: f.id },
  });
  input.defaultValue = shown;
  return input;
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const section = el("section", { class: "card-section", "aria-labelledby": "crm-fields-h" });
  section.append(el("h3", { id: "crm-fields-h" }, t("crmFields")));
  if (!ctx.defs.fields.length) {
    section.append(el("p", { class: "empty" }, t("crmNoFields")));
    return section;
  }
  const grid = el("div", { class: "grid2", id: "crm-fields" });
  for (const f of ctx.defs.fields) {
    const control = fieldControl(f, ctx.card.row.fields[f.id]);
    const field = labelled(f.label, control);
    let sent = control.value;
    const save = async () => {
      if (control.value === sent) return; // Enter, then the change on blur: once
      sent = control.value;
      field.setError("");
      try {
        await ctx.updateRecord({ fields: { [f.id]: control.value.trim() } });
      } catch (err) {
        field.setError(ctx.fail(err));
      }
    };
    control.addEventListener("change", save);
    if (control instanceof HTMLInputElement) control.addEventListener("keydown", (e) => e.key === "Enter" && save());
    grid.append(field);
  }
  section.append(grid);
  return section;
}

export const section = { id: "fields", order: 30, render };
