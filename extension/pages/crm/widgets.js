// @ts-check
// Small pieces the CRM pages share: tag chips, an inline question, an undo bar, a field error.
// Text from users and WhatsApp goes in as text (el() makes text nodes), never as HTML.
import { el, t } from "../sidepanel/dom.js";

/** A colour readable on the tag's own colour: black or white, whichever contrasts more (luminance 0.179 is where both are equal). @param {string} hex */
export function inkOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return "#000";
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? "#000" : "#fff";
}

/**
 * A tag as a coloured chip; with ``onRemove`` a × button takes it off; with ``onEdit`` its name
 * is a button that opens the tag's editor.
 * @param {Mettri.crm.CrmTag} tag
 * @param {{ onRemove?: () => void, onEdit?: () => void }} [opts]
 */
export function tagChip(tag, opts = {}) {
  const style = `background:${tag.color};color:${inkOn(tag.color)}`;
  const name = opts.onEdit
    ? el("button", { type: "button", class: "chip-name", onclick: opts.onEdit, title: t("crmTagEdit"), "aria-label": t("crmTagEditNamed", [tag.name]) }, tag.name)
    : el("span", { class: "chip-name" }, tag.name);
  const chip = el("span", { class: "chip", style, dataset: { tag: tag.id } }, name);
  if (opts.onRemove) {
    chip.append(el("button", { type: "button", class: "chip-x", onclick: opts.onRemove, "aria-label": t("crmTagRemoveNamed", [tag.name]) }, "×"));
  }
  return chip;
}

/**
 * An inline question with two answers (role=alertdialog), placed in ``host``; resolves true for
 * the first answer. Focus goes to the first answer; Escape picks the second.
 * @param {HTMLElement} host
 * @param {string} text
 * @param {string} yes
 * @param {string} no
 * @returns {Promise<boolean>}
 */
export function ask(host, text, yes, no) {
  return new Promise((resolve) => {
    const id = `ask-${Math.random().toString(36).slice(2, 8)}`;
    /** @param {boolean} answer */
    const done = (answer) => {
      box.remove();
      resolve(answer);
    };
    const yesButton = el("button", { type: "button", class: "primary", dataset: { answer: "yes" }, onclick: () => done(true) }, yes);
    const box = el("div", { class: "ask", role: "alertdialog", "aria-labelledby": id, "aria-modal": "false" },
      el("p", { id }, text),
      el("div", { class: "row" }, yesButton,
        el("button", { type: "button", dataset: { answer: "no" }, onclick: () => done(false) }, no)));
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") done(false);
    });
    host.prepend(box);
    yesButton.focus();
  });
}

/**
 * A short message with an optional undo button, gone after ``ms``.
 * @param {HTMLElement} host
 * @param {string} text
 * @param {(() => void) | null} [undo]
 */
export function toast(host, text, undo = null, ms = 8000) {
  host.querySelector(":scope > .toast")?.remove();
  const box = el("div", { class: "toast", role: "status" }, el("span", {}, text));
  if (undo) {
    box.append(el("button", { type: "button", class: "link", onclick: () => { box.remove(); undo(); } }, t("crmUndo")));
  }
  host.append(box);
  setTimeout(() => box.remove(), ms);
  return box;
}

/**
 * A labelled control with an error line under it (aria-describedby, aria-invalid).
 * @param {string} text
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 */
export function labelled(text, control) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const error = el("span", { class: "field-error", id: `${id}-error`, role: "alert" });
  control.setAttribute("aria-describedby", error.id);
  const wrap = el("div", { class: "field" }, el("label", { for: id }, text), control, error);
  return Object.assign(wrap, {
    /** @param {string} message */
    setError(message) {
      error.textContent = message;
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    },
  });
}

/** A palette of tag colours, readable with black or white text. */
export const TAG_COLORS = ["#e53935", "#fb8c00", "#fdd835", "#43a047", "#00897b", "#1e88e5", "#5e35b1", "#d81b60", "#6d4c41", "#607d8b"];
