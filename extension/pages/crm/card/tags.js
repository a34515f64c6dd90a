// @ts-check
// The card's tags: add one (an existing tag by name, or a new one created on the spot), take one
// off, rename or recolour a tag (every record that has it follows).
import { el, t } from "../../sidepanel/dom.js";
import { reloadDefs, tagOf } from "../defs.js";
import { writeWithVersion } from "../write.js";
import { ask, tagChip, TAG_COLORS } from "../widgets.js";

/** @typedef {import("./context.js").CardContext} CardContext */

/** The tag whose editor is open on this page (it stays open when the card is redrawn). */
let openEditor = /** @type {string | null} */ (null);

const fold = (/** @type {string} */ s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

/**
 * The tag's editor: name and colour; saved for every record.
 * @param {CardContext} ctx
 * @param {Mettri.crm.CrmTag} tag
 * @param {HTMLElement} host
 */
function editor(ctx, tag, host, focus = true) {
  openEditor = tag.id;
  const name = el("input", { type: "text", maxlength: 40, value: tag.name, "aria-label": t("card_tagName"), dataset: { fk: "tag-edit-name" } });
  const color = el("input", { type: "color", value: tag.color, "aria-label": t("card_tagColor"), dataset: { fk: "tag-edit-color" } });
  const error = el("span", { class: "field-error", role: "alert" });
  const close = () => {
    openEditor = null;
    box.remove();
  };
  const save = async () => {
    try {
      await writeWithVersion({
        base: tag,
        version: (x) => x.version,
        send: (version) => MettriApi.crm.tag.update({ id: tag.id, version, label: name.value.trim() || undefined, color: color.value }),
        same: (a, b) => a.name === b.name && a.color === b.color,
        ask: (now) => ask(ctx.root, t("card_conflictAsk", [t("card_tag"), now.name]), t("card_conflictMine"), t("card_conflictTheirs")),
      });
      close();
      await reloadDefs();
      await ctx.reload();
    } catch (err) {
      error.textContent = ctx.fail(err);
    }
  };
  const box = el("div", { class: "tag-editor", role: "group", "aria-label": t("crmTagEditNamed", [tag.name]) },
    el("p", { class: "meta" }, t("card_tagEditHint")),
    el("div", { class: "row" }, name, color),
    el("div", { class: "row" },
      el("button", { type: "button", class: "primary", onclick: save }, t("card_save")),
      el("button", { type: "button", onclick: close }, t("card_cancel"))),
    error);
  name.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
    if (e.key === "Escape") close();
  });
  host.querySelector(".tag-editor")?.remove();
  host.append(box);
  if (focus) name.focus();
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const { row } = ctx.card;
  const section = el("section", { class: "card-section", "aria-labelledby": "crm-tags-h" });
  const chips = el("div", { class: "chips", id: "crm-tags" });
  for (const id of row.tags) {
    const tag = tagOf(ctx.defs, id);
    if (!tag) continue;
    chips.append(tagChip(tag, {
      onRemove: () => ctx.updateRecord({ remove_tags: [id] }).catch((err) => say(ctx.fail(err))),
      onEdit: () => editor(ctx, tag, section),
    }));
  }
  if (!row.tags.length) chips.append(el("span", { class: "empty" }, t("card_noTags")));
  const listId = "crm-tag-options";
  const input = el("input", {
    type: "text", id: "crm-tag-input", list: listId, maxlength: 40, autocomplete: "off",
    placeholder: t("card_tagAddHint"), "aria-label": t("card_tagAdd"), "aria-keyshortcuts": "t", dataset: { fk: "tag-input" },
  });
  const options = el("datalist", { id: listId },
    ctx.defs.tags.filter((x) => !row.tags.includes(x.id)).map((x) => el("option", { value: x.name })));
  const error = el("p", { class: "field-error", role: "alert", id: "crm-tag-error" });
  const say = (/** @type {string} */ text) => (error.textContent = text);
  const add = async () => {
    const wanted = input.value.trim();
    if (!wanted) return;
    say("");
    try {
      const named = (/** @type {Mettri.crm.CrmDefs} */ d) => d.tags.find((x) => fold(x.name) === fold(wanted));
      // The card's definitions can be older than the core's: a tag made on another page a moment ago,
      // or while the user typed here (the card is not redrawn under their typing). Made again, it
      // would be refused as a duplicate and never added: ask the core before making it.
      let tag = named(ctx.defs) ?? named(await reloadDefs());
      if (!tag) {
        const color = TAG_COLORS[ctx.defs.tags.length % TAG_COLORS.length];
        tag = await MettriApi.crm.tag.create({ label: wanted, color });
        await reloadDefs();
      }
      if (!row.tags.includes(tag.id)) await ctx.updateRecord({ add_tags: [tag.id] });
      // The write redrew the card (the typing moved to the new box): empty whichever box is shown.
      for (const box of [input, ctx.root.querySelector('[data-fk="tag-input"]')]) {
        if (box instanceof HTMLInputElement) box.value = box.defaultValue = "";
      }
    } catch (err) {
      say(ctx.fail(err));
    }
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      add();
    }
  });
  section.append(
    el("h3", { id: "crm-tags-h" }, t("card_tags")),
    chips,
    el("div", { class: "row add" }, input, options, el("button", { type: "button", onclick: add }, t("card_add"))),
    error,
  );
  const editing = openEditor ? tagOf(ctx.defs, openEditor) : null;
  if (editing && row.tags.includes(editing.id)) editor(ctx, editing, section, false);
  else openEditor = null;
  return section;
}

export const section = { id: "tags", order: 10, render };
