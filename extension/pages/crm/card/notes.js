// @ts-check
// Notes: add, edit, delete with undo, older ones on demand. Plain text, shown as text.
import { el, t } from "../../sidepanel/dom.js";
import { when } from "../format.js";
import { writeWithVersion } from "../write.js";
import { ask } from "../widgets.js";

/** @typedef {import("./context.js").CardContext} CardContext */
/** @typedef {Mettri.crm.CrmNote} Note */

const NOTE_MAX = 10_000;

/** The note being edited on this page (it stays open when the card is redrawn). */
let editing = /** @type {string | null} */ (null);

/** Older notes loaded on this page, per record (the card brings the newest 20). */
/** @type {Map<string, { notes: Note[], cursor: string | null }>} */
const older = new Map();

/**
 * @param {CardContext} ctx
 * @param {Note} note
 */
function noteItem(ctx, note) {
  const error = el("span", { class: "field-error", role: "alert" });
  const edited = note.updated_at - note.created_at > 1 ? ` · ${t("card_edited")}` : "";
  const li = el("li", { class: "note", dataset: { note: note.id } });
  const show = () => (editing = null, li.replaceChildren(
    el("p", { class: "note-text" }, note.text),
    el("span", { class: "meta" }, when(note.created_at) + edited),
    el("span", { class: "actions" },
      el("button", { type: "button", class: "link", "aria-label": t("card_noteEdit"), onclick: () => editNote() }, t("card_edit")),
      el("button", { type: "button", class: "link", "aria-label": t("card_noteDelete"), onclick: deleteNote }, t("card_delete"))),
    error));
  function editNote(focus = true) {
    editing = note.id;
    const box = el("textarea", { rows: 4, maxlength: NOTE_MAX, "aria-label": t("card_noteText"), dataset: { fk: `note-edit-${note.id}` } });
    box.defaultValue = note.text;
    const save = async () => {
      try {
        await writeWithVersion({
          base: note,
          version: (n) => n.version,
          send: (version) => MettriApi.crm.note.edit({ id: note.id, version, text: box.value }),
          same: (a, b) => a.text === b.text && a.deleted === b.deleted,
          ask: (now) => ask(ctx.root, t("card_noteChanged", [now.text.slice(0, 80)]), t("card_conflictMine"), t("card_conflictTheirs")),
        });
        editing = null;
        box.defaultValue = box.value; // saved: not typing any more
        await ctx.reload();
      } catch (err) {
        error.textContent = ctx.fail(err);
      }
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) save();
      if (e.key === "Escape") show();
    });
    li.replaceChildren(box, el("div", { class: "row" },
      el("button", { type: "button", class: "primary", onclick: save }, t("card_save")),
      el("button", { type: "button", onclick: show }, t("card_cancel"))), error);
    if (focus) box.focus();
  }
  async function deleteNote() {
    try {
      const gone = await MettriApi.crm.note.delete({ id: note.id, version: note.version });
      await ctx.reload();
      ctx.say(t("card_noteDeleted"), async () => {
        try {
          await MettriApi.crm.note.restore({ id: gone.id });
          await ctx.reload();
        } catch (err) {
          ctx.say(ctx.fail(err));
        }
      });
    } catch (err) {
      error.textContent = ctx.fail(err);
    }
  }
  if (editing === note.id) editNote(false);
  else show();
  return li;
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const { card } = ctx;
  const section = el("section", { class: "card-section", "aria-labelledby": "crm-notes-h" });
  const box = el("textarea", { id: "crm-note-text", rows: 3, maxlength: NOTE_MAX, placeholder: t("card_noteHint"),
    "aria-keyshortcuts": "n", dataset: { fk: "note-text" } });
  const error = el("p", { class: "field-error", role: "alert", id: "crm-note-error" });
  const add = async () => {
    if (!box.value.trim()) return;
    error.textContent = "";
    try {
      await MettriApi.crm.note.add({ chat: card.row.key, text: box.value });
      box.value = "";
      await ctx.reload();
    } catch (err) {
      error.textContent = ctx.fail(err);
    }
  };
  box.addEventListener("keydown", (e) => e.key === "Enter" && (e.ctrlKey || e.metaKey) && add());
  const mine = older.get(card.row.key);
  const notes = [...card.notes, ...(mine?.notes ?? []).filter((n) => !card.notes.some((c) => c.id === n.id))];
  const cursor = mine ? mine.cursor : card.notes_cursor;
  const list = el("ul", { class: "notes", id: "crm-notes" }, notes.filter((n) => !n.deleted).map((n) => noteItem(ctx, n)));
  section.append(
    el("h3", { id: "crm-notes-h" }, t("card_notes"), card.row.note_count ? ` (${card.row.note_count})` : ""),
    el("label", { for: box.id, class: "sr-only" }, t("card_noteText")),
    box,
    el("div", { class: "row" }, el("button", { type: "button", id: "crm-note-add", onclick: add }, t("card_noteAdd")),
      el("span", { class: "meta" }, t("card_noteKeys"))),
    error,
    list,
  );
  if (cursor) {
    section.append(el("button", { type: "button", class: "link", id: "crm-notes-more", onclick: async () => {
      try {
        const page = await MettriApi.crm.notes.list({ chat: card.row.key, cursor, limit: 20 });
        older.set(card.row.key, { notes: [...(mine?.notes ?? []), ...page.notes], cursor: page.next_cursor });
        await ctx.reload();
      } catch (err) {
        error.textContent = ctx.fail(err);
      }
    } }, t("card_notesMore")));
  }
  return section;
}

export const section = { id: "notes", order: 50, render };
