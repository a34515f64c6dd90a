// @ts-check
// Small pieces shared by the import and privacy views: a progress bar, a status line, numbers and
// dates in the page's language, and the core's errors in the user's language.
import { count, el, fmtTime, locale, t } from "../sidepanel/dom.js";

const days = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });

export { count as num, fmtTime as moment };
/** @param {string} isoLocal a wall-clock time without a zone, as the export wrote it */
export const day = (isoLocal) => days.format(new Date(isoLocal));

/**
 * A determinate progress bar (role=progressbar with its numbers and a text for screen readers).
 * @param {string} id
 * @param {string} label
 */
export function progressBar(id, label) {
  const fill = el("div", { class: "fill" });
  const bar = el("div", { id, class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": "0" }, fill);
  /**
   * @param {number} now
   * @param {number} max
   * @param {string} text
   */
  const set = (now, max, text) => {
    bar.setAttribute("aria-valuenow", String(now));
    bar.setAttribute("aria-valuemax", String(Math.max(1, max)));
    bar.setAttribute("aria-valuetext", text);
    fill.style.width = `${Math.min(100, (100 * now) / Math.max(1, max))}%`;
  };
  return Object.assign(bar, { set });
}

/**
 * A status line screen readers announce.
 * @param {string} id
 */
export function statusLine(id) {
  const line = el("p", { id, class: "state", role: "status", "aria-live": "polite" });
  /**
   * @param {string} text
   * @param {boolean} [error]
   */
  const set = (text, error = false) => {
    line.textContent = text;
    line.classList.toggle("error", error);
  };
  return Object.assign(line, { set });
}

/**
 * What went wrong, in the user's language: the core's own words when it sent both, else the message.
 * @param {unknown} err
 */
export function errorText(err) {
  const e = /** @type {Mettri.CallError} */ (err);
  const said = (e && e.details ? e.details : []).find(
    (d) => d && typeof d.message_pt === "string" && typeof d.message_en === "string",
  );
  if (said) return MettriI18n.pick(String(said.message_pt), String(said.message_en));
  return t("impError", [e && e.message ? e.message : String(err)]);
}

/**
 * A labelled file picker.
 * @param {string} id
 * @param {string} label
 * @param {string} accept
 * @param {(file: File) => void} onPick
 */
export function filePicker(id, label, accept, onPick) {
  const input = el("input", { type: "file", id, accept });
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (file) onPick(file);
    input.value = "";
  });
  return el("p", { class: "file-pick" }, el("label", { for: id }, label), " ", input);
}
