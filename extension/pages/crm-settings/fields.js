// @ts-check
// Custom fields: rename, edit a choice field's options, delete (when contacts hold values for
// it, the user is asked whether to delete the values too), and create one (its type is fixed).
import { el, t } from "../sidepanel/dom.js";
import { ask, labelled } from "../crm/widgets.js";
import { drawKeyed, reasonOf, save } from "./common.js";

const TYPES = MettriProtocol.crm.FieldType;

/** Options edited one per line (a label may hold commas). @param {string} text */
const lines = (text) => text.split("\n").map((x) => x.trim()).filter(Boolean);

/** @param {Mettri.crm.CrmField} f */
function fieldForm(f) {
  const asks = el("div", { class: "asks" });
  const name = el("input", { type: "text", maxlength: 60, value: f.label, autocomplete: "off", dataset: { role: "field-name" } });
  const options = el("textarea", { rows: Math.min(8, Math.max(3, f.options.length + 1)), dataset: { role: "field-options" } });
  options.value = f.options.map((o) => o.label).join("\n");
  /** @type {HTMLElement} */
  let box;
  const store = () => save(() => {
    const wanted = lines(options.value);
    return MettriApi.crm.field.update({
      id: f.id, version: f.version, label: name.value.trim(),
      // an option keeps its id while its label is unchanged (records hold option ids)
      options: f.type === "choice" ? wanted.map((label) => ({ id: f.options.find((o) => o.label === label)?.id ?? null, label })) : undefined,
    });
  }, { form: box });
  const remove = async () => {
    if (!(await ask(asks, t("crmSettings_fieldDeleteAsk", [f.label]), t("crmSettings_delete"), t("crmSettings_cancel")))) return;
    await save(() => MettriApi.crm.field.delete({ id: f.id, version: f.version }), {
      done: t("crmSettings_deleted"),
      // Contacts hold values for it: a second question (the refused write is settled meanwhile).
      onRefusal: (err) => {
        if (reasonOf(err) !== "field_in_use") return false;
        const d = /** @type {Mettri.CallError} */ (err).details?.[0];
        const said = MettriI18n.pick(String(d?.pt_BR ?? ""), String(d?.en ?? ""));
        ask(asks, said, t("crmSettings_deleteWithValues"), t("crmSettings_cancel")).then((yes) => {
          if (yes) save(() => MettriApi.crm.field.delete({ id: f.id, version: f.version, drop_values: true }), { done: t("crmSettings_deleted") });
        });
        return true;
      },
    });
  };
  box = el("fieldset", { class: "def", dataset: { field: f.id } }, el("legend", {}, f.label),
    el("div", { class: "row" }, labelled(t("card_fieldName"), name), el("span", { class: "type" }, t(`card_type_${f.type}`))),
    f.type === "choice" ? labelled(t("crmSettings_optionsPerLine"), options) : null,
    el("div", { class: "row" },
      el("button", { type: "button", class: "primary", dataset: { role: "field-save" }, onclick: store }, t("crmSettings_save")),
      el("button", { type: "button", class: "danger", dataset: { role: "field-delete" }, onclick: remove }, t("crmSettings_delete"))),
    asks);
  return box;
}

/** @param {HTMLElement} host */
export function fieldsSection(host) {
  const list = el("div");
  const name = el("input", { type: "text", id: "cs-field-new-name", maxlength: 60, autocomplete: "off" });
  const type = el("select", { id: "cs-field-new-type" }, TYPES.map((x) => el("option", { value: x }, t(`card_type_${x}`))));
  const options = el("textarea", { id: "cs-field-new-options", rows: 3 });
  const optionsBox = labelled(t("crmSettings_optionsPerLine"), options);
  optionsBox.hidden = true;
  type.addEventListener("change", () => (optionsBox.hidden = type.value !== "choice"));
  const form = el("form", {}, el("fieldset", { class: "def" }, el("legend", {}, t("card_fieldNew")),
    el("div", { class: "row" }, labelled(t("card_fieldName"), name), labelled(t("card_fieldType"), type)), optionsBox,
    el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, t("card_fieldCreate")))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const made = await save(() => MettriApi.crm.field.create({
      label: name.value.trim(), type: /** @type {Mettri.crm.FieldType} */ (type.value),
      options: type.value === "choice" ? lines(options.value).map((label) => ({ label })) : [],
    }), { done: t("crmSettings_created") });
    if (made) form.reset();
  });
  const empty = el("p", { class: "empty" }, t("card_noFields"));
  host.append(empty, list, form);
  /** @param {Mettri.crm.CrmDefs} d */
  return (d) => {
    empty.hidden = d.fields.length > 0;
    drawKeyed(list, d.fields, fieldForm);
  };
}
