// @ts-check
// Custom fields, each with the control its type needs and its validation error under it, in
// the page's language (the core checks and says why).
import { el, t } from "../../sidepanel/dom.js";
import { moneyInput, number } from "../format.js";
import { reloadDefs } from "../defs.js";
import { labelled } from "../widgets.js";
import { refusal } from "./context.js";

/** @typedef {import("./context.js").CardContext} CardContext */

const TYPES = MettriProtocol.crm.FieldType;
const INPUT_TYPES = { text: "text", number: "text", money: "text", date: "date", email: "email", phone: "tel" };

/**
 * The control for one field, showing its value as the user types it in this locale.
 * @param {Mettri.crm.CrmField} f
 * @param {string | number | null | undefined} value
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
export function fieldControl(f, value) {
  if (f.type === "choice") {
    return el("select", { dataset: { fk: `field-${f.id}`, field: f.id } },
      el("option", { value: "" }, t("card_choose")),
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

/** Whether the new-field form is open on this page (it stays open across redraws). */
let formOpen = false;

/**
 * A new field from the card: name, type, and a choice field's options; the core checks them.
 * @param {CardContext} ctx
 */
function newField(ctx) {
  const name = el("input", { type: "text", id: "crm-field-name", maxlength: 60, autocomplete: "off", dataset: { fk: "field-name" } });
  const type = el("select", { id: "crm-field-type" }, TYPES.map((x) => el("option", { value: x }, t(`card_type_${x}`))));
  const options = el("input", { type: "text", id: "crm-field-options", maxlength: 1000, autocomplete: "off" });
  const nameField = labelled(t("card_fieldName"), name);
  const optionsField = labelled(t("card_fieldOptions"), options);
  optionsField.hidden = true;
  type.addEventListener("change", () => (optionsField.hidden = type.value !== "choice"));
  const create = async () => {
    nameField.setError("");
    optionsField.setError("");
    const labels = type.value === "choice" ? options.value.split(",").map((x) => x.trim()).filter(Boolean) : [];
    try {
      const f = await MettriApi.crm.field.create({
        label: name.value.trim(), type: /** @type {Mettri.crm.FieldType} */ (type.value),
        options: labels.map((label) => ({ label })),
      });
      formOpen = false;
      await reloadDefs();
      ctx.say(t("card_saved"));
      /** @type {HTMLElement | null} */ (ctx.root.querySelector(`[data-field="${f.id}"]`))?.focus();
    } catch (err) {
      const { field } = refusal(err);
      (field === "options" ? optionsField : nameField).setError(ctx.fail(err));
    }
  };
  name.addEventListener("keydown", (e) => e.key === "Enter" && create());
  const box = el("details", { class: "field-new", open: formOpen },
    el("summary", { id: "crm-field-new" }, t("card_fieldNew")),
    el("div", { class: "grid2" }, nameField, labelled(t("card_fieldType"), type)),
    optionsField,
    el("div", { class: "row" }, el("button", { type: "button", id: "crm-field-create", onclick: create }, t("card_fieldCreate"))));
  box.addEventListener("toggle", () => (formOpen = box.open));
  return box;
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const section = el("section", { class: "card-section", "aria-labelledby": "crm-fields-h" });
  section.append(el("h3", { id: "crm-fields-h" }, t("card_fields")));
  if (!ctx.defs.fields.length) {
    section.append(el("p", { class: "empty" }, t("card_noFields")), newField(ctx));
    return section;
  }
  const grid = el("div", { class: "grid2", id: "crm-fields" });
  for (const f of ctx.defs.fields) {
    const control = fieldControl(f, ctx.card.row.fields[f.id]);
    const field = labelled(f.label, control);
    let sent = control.value;
    const save = async () => {
      // Enter, then the change on blur: once; a box replaced by a redraw (its typing moved to the new one) never.
      if (control.value === sent || !control.isConnected) return;
      sent = control.value;
      if (control instanceof HTMLInputElement) control.defaultValue = control.value; // submitted, not typing
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
  section.append(grid, newField(ctx));
  return section;
}

export const section = { id: "fields", order: 30, render };
