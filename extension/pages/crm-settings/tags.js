// @ts-check
// Tags: rename and recolour (every contact shows the new name), delete (taken off every
// contact, after a question), and create.
import { el, t } from "../sidepanel/dom.js";
import { count } from "../crm/format.js";
import { ask, tagChip, labelled } from "../crm/widgets.js";
import { drawKeyed, save } from "./common.js";

/** @param {Mettri.crm.CrmTag} tag */
function tagForm(tag) {
  const asks = el("div", { class: "asks" });
  const name = el("input", { type: "text", maxlength: 40, value: tag.name, autocomplete: "off", dataset: { role: "tag-name" } });
  const color = el("input", { type: "color", class: "swatch", value: tag.color, "aria-label": t("crmSettings_tagColor", [tag.name]) });
  /** @type {HTMLElement} */
  let box;
  const store = () => save(() => MettriApi.crm.tag.update({ id: tag.id, version: tag.version, label: name.value.trim(), color: color.value }),
    { form: box });
  const remove = async () => {
    if (!(await ask(asks, t("crmSettings_tagDeleteAsk", [tag.name]), t("crmSettings_delete"), t("crmSettings_cancel")))) return;
    await save(() => MettriApi.crm.tag.delete({ id: tag.id, version: tag.version }),
      { done: (r) => t("crmSettings_tagDeleted", [tag.name, count(r.changed)]) });
  };
  box = el("fieldset", { class: "def", dataset: { tag: tag.id } }, el("legend", {}, tagChip(tag)),
    el("div", { class: "row" }, labelled(t("crmSettings_tagName"), name), labelled(t("crmSettings_color"), color),
      el("button", { type: "button", class: "primary", dataset: { role: "tag-save" }, onclick: store }, t("crmSettings_save")),
      el("button", { type: "button", class: "danger", dataset: { role: "tag-delete" }, onclick: remove }, t("crmSettings_delete"))),
    asks);
  return box;
}

/** @param {HTMLElement} host */
export function tagsSection(host) {
  const list = el("div");
  const name = el("input", { type: "text", id: "cs-tag-new-name", maxlength: 40, autocomplete: "off" });
  const color = el("input", { type: "color", id: "cs-tag-new-color", class: "swatch", value: "#1e88e5" });
  const form = el("form", {}, el("fieldset", { class: "def" }, el("legend", {}, t("crmSettings_tagNew")),
    el("div", { class: "row" }, labelled(t("crmSettings_tagName"), name), labelled(t("crmSettings_color"), color),
      el("button", { type: "submit", class: "primary" }, t("crmSettings_create")))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await save(() => MettriApi.crm.tag.create({ label: name.value.trim(), color: color.value }), { done: t("crmSettings_created") })) name.value = "";
  });
  const empty = el("p", { class: "empty" }, t("crmSettings_noTags"));
  host.append(empty, list, form);
  /** @param {Mettri.crm.CrmDefs} d */
  return (d) => {
    empty.hidden = d.tags.length > 0;
    drawKeyed(list, d.tags, tagForm);
  };
}
