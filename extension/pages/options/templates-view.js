// @ts-check
// Templates (quick replies): create, edit, delete with undo, reorder, import and export as JSON, and
// a preview filled in for a real contact. Every rule (variables, unique shortcuts, versions) is the
// core's (pycore/templates); this view draws and forwards. Texts are drawn as text.
import { count, el } from "../sidepanel/dom.js";

const api = MettriApi;
const { t, tn, errorText, pick } = MettriI18n;

/** @typedef {Mettri.templates.MessageTemplate} Template */

/** @param {HTMLElement} root */
export async function mountTemplates(root) {
  const name = el("input", { id: "tpl-name", name: "name", type: "text", maxlength: 80, required: true, autocomplete: "off" });
  const shortcut = el("input", { id: "tpl-shortcut", name: "shortcut", type: "text", maxlength: 31, autocomplete: "off",
                                 placeholder: t("tpl_shortcut_hint") });
  const category = el("input", { id: "tpl-category", name: "category", type: "text", maxlength: 40, autocomplete: "off" });
  const text = el("textarea", { id: "tpl-text", name: "text", rows: 4, required: true });
  const variables = el("p", { id: "tpl-variables", class: "note" });
  const submit = el("button", { type: "submit", id: "tpl-save" }, t("tpl_add"));
  const cancel = el("button", { type: "button", id: "tpl-cancel", hidden: true }, t("tpl_cancel_edit"));
  const form = el("form", { id: "tpl-form", class: "tpl-form" },
    el("label", { for: "tpl-name" }, t("tpl_name")), name,
    el("label", { for: "tpl-shortcut" }, t("tpl_shortcut")), shortcut,
    el("label", { for: "tpl-category" }, t("tpl_category")), category,
    el("label", { for: "tpl-text" }, t("tpl_text")), text,
    el("span", {}), variables,
    el("span", {}), el("div", { class: "tpl-buttons" }, submit, cancel),
  );
  const contact = el("select", { id: "tpl-preview-chat", name: "chat" });
  const previewButton = el("button", { type: "button", id: "tpl-preview" }, t("tpl_preview"));
  const preview = el("div", { id: "tpl-preview-out", class: "tpl-preview", role: "status" });
  const message = el("p", { id: "tpl-message", role: "status" });
  const list = el("ol", { id: "tpl-list", class: "tpl-list" });
  const exportButton = el("button", { type: "button", id: "tpl-export" }, t("tpl_export"));
  const importInput = el("input", { type: "file", id: "tpl-import-file", accept: "application/json,.json", hidden: true });
  const importButton = el("button", { type: "button", id: "tpl-import" }, t("tpl_import"));
  root.replaceChildren(
    el("p", { class: "note" }, t("tpl_intro")),
    form,
    el("div", { class: "tpl-preview-row" }, el("label", { for: "tpl-preview-chat" }, t("tpl_preview_for")), contact, previewButton),
    preview, message, list,
    el("div", { class: "tpl-files" }, exportButton, importButton, importInput),
  );

  /** @type {Template | null} the template being edited */
  let editing = null;
  /** @type {Template[]} */
  let shown = [];

  /**
   * @param {string | Node} what
   * @param {boolean} [error]
   * @param {Node} [extra]
   */
  function say(what, error = false, extra) {
    message.replaceChildren(what, ...(extra ? [" ", extra] : []));
    message.className = error ? "error" : "";
    message.setAttribute("role", error ? "alert" : "status");
  }

  /** @param {unknown} err */
  const refused = (err) => say(errorText(/** @type {Mettri.CallError} */ (err)), true);

  /** @param {Template | null} tpl */
  function edit(tpl) {
    editing = tpl;
    name.value = tpl ? tpl.name : "";
    shortcut.value = tpl ? tpl.shortcut : "";
    category.value = tpl ? tpl.category : "";
    text.value = tpl ? tpl.text : "";
    submit.textContent = t(tpl ? "tpl_save" : "tpl_add");
    cancel.hidden = !tpl;
    if (tpl) name.focus();
  }

  /** @param {string[]} ids */
  async function reorder(ids) {
    try {
      draw(await api.templates.reorder({ ids }));
    } catch (err) {
      refused(err);
      await refresh();
    }
  }

  /** @param {Template} tpl */
  async function remove(tpl) {
    try {
      await api.templates.delete({ id: tpl.id, version: tpl.version });
      const undo = el("button", { type: "button", id: "tpl-undo", class: "link" }, t("tpl_undo"));
      undo.addEventListener("click", async () => {
        try {
          const back = await api.templates.restore({ id: tpl.id });
          say(back.shortcut === tpl.shortcut ? t("tpl_restored", [back.name]) : t("tpl_restored_no_shortcut", [back.name]));
        } catch (err) {
          refused(err);
        }
        await refresh();
      });
      say(t("tpl_deleted", [tpl.name]), false, undo);
      if (editing && editing.id === tpl.id) edit(null);
    } catch (err) {
      refused(err);
    }
    await refresh();
  }

  /**
   * @param {Template} tpl
   * @param {number} i
   */
  function item(tpl, i) {
    const ids = shown.map((x) => x.id);
    /** @param {number} to */
    const move = (to) => {
      const next = ids.slice();
      next.splice(i, 1);
      next.splice(to, 0, tpl.id);
      return reorder(next);
    };
    return el("li", { dataset: { id: tpl.id } },
      el("div", { class: "tpl-head" },
        el("span", { class: "title" }, tpl.name),
        tpl.shortcut ? el("code", { class: "shortcut" }, "/" + tpl.shortcut) : null,
        tpl.category ? el("span", { class: "meta" }, tpl.category) : null),
      el("div", { class: "tpl-text" }, tpl.text),
      ...tpl.notes.map((n) => el("p", { class: "note warn" }, pick(n.pt_BR, n.en))),
      el("div", { class: "tpl-buttons" },
        el("button", { type: "button", class: "tpl-edit", "aria-label": t("tpl_edit_named", [tpl.name]), onclick: () => edit(tpl) },
          t("tpl_edit")),
        el("button", { type: "button", class: "tpl-up", disabled: i === 0, "aria-label": t("tpl_up_named", [tpl.name]),
                       onclick: () => move(i - 1) }, "↑"),
        el("button", { type: "button", class: "tpl-down", disabled: i === shown.length - 1,
                       "aria-label": t("tpl_down_named", [tpl.name]), onclick: () => move(i + 1) }, "↓"),
        el("button", { type: "button", class: "tpl-delete", "aria-label": t("tpl_delete_named", [tpl.name]),
                       onclick: () => remove(tpl) }, t("tpl_delete"))),
    );
  }

  /** @param {Mettri.templates.TemplateList} listing */
  function draw(listing) {
    shown = listing.templates;
    variables.textContent = t("tpl_variables", [listing.variables.map((v) => `{{${v.name}}}`).join(" ")]);
    list.replaceChildren(
      ...(shown.length ? [] : [el("li", { class: "empty" }, t("tpl_empty"))]),
      ...shown.map(item),
    );
  }

  async function refresh() {
    draw(await api.templates.list({}));
  }

  async function fillChats() {
    const { chats } = await api.chats.list({ limit: 500 });
    contact.replaceChildren(el("option", { value: "" }, t("tpl_preview_nobody")),
      ...chats.map((c) => el("option", { value: c.key }, c.title)));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const args = { label: name.value, shortcut: shortcut.value, category: category.value, text: text.value };
    try {
      const saved = editing
        ? await api.templates.save({ ...args, id: editing.id, version: editing.version })
        : await api.templates.save(args);
      say(t("tpl_saved", [saved.name]));
      edit(null);
    } catch (err) {
      refused(err);
    }
    await refresh();
  });
  cancel.addEventListener("click", () => edit(null));

  previewButton.addEventListener("click", async () => {
    try {
      const r = await api.templates.preview({ text: text.value, chat: contact.value || null,
                                              locale: navigator.language, utc_offset_min: -new Date().getTimezoneOffset() });
      preview.className = r.text == null ? "tpl-preview error" : "tpl-preview";
      preview.replaceChildren(r.text != null ? r.text : el("ul", {}, ...r.problems.map((p) => el("li", {}, pick(p.pt_BR, p.en)))));
    } catch (err) {
      refused(err);
    }
  });

  exportButton.addEventListener("click", async () => {
    try {
      const file = await api.templates.export({});
      const url = URL.createObjectURL(new Blob([file.json_text], { type: "application/json" }));
      const a = el("a", { href: url, download: file.filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      say(tn("tpl_exported", file.count, [count(file.count)]));
    } catch (err) {
      refused(err);
    }
  });
  importButton.addEventListener("click", () => importInput.click());
  importInput.addEventListener("change", async () => {
    const file = importInput.files && importInput.files[0];
    importInput.value = "";
    if (!file) return;
    try {
      const report = await api.templates.import({ json_text: await file.text() });
      const lines = report.rejected.map((r) => el("li", {}, pick(r.pt_BR, r.en)));
      say(t("tpl_imported", [String(report.added), String(report.skipped)]), report.rejected.length > 0,
        lines.length ? el("ul", { id: "tpl-import-issues" }, ...lines) : undefined);
    } catch (err) {
      refused(err);
    }
    await refresh();
  });

  MettriCore.onEvent((env) => env.event === "templates.changed" && refresh());
  await Promise.all([refresh(), fillChats()]);
}
