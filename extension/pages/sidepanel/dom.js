// @ts-check
// Small DOM helpers for the side panel's views. Text always goes in as text nodes:
// names and messages come from WhatsApp and are never parsed as HTML.

/**
 * @param {string} key
 * @param {string | string[]} [subs]
 */
export const t = (key, subs) => MettriI18n.t(key, subs);
/** A message about a count (``<key>_one`` for exactly 1). @param {string} key @param {number} n @param {string | string[]} [subs] */
export const tn = (key, n, subs) => MettriI18n.tn(key, n, subs);
/** The core's commands, typed (extension/shared/protocol.js). */
export const api = MettriApi;
export const onEvent = MettriCore.onEvent;

/**
 * One of the page's own elements (in its HTML): missing is a bug, said clearly.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`mettri: #${id} is missing from the page`);
  return /** @type {T} */ (node);
}

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {{ [name: string]: unknown, dataset?: Record<string, string> }} Attrs
 */

/**
 * el("button", {class: "x", onclick: fn}, "text", child)
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === "class") node.className = String(v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * One fact of a definition list: its label (<dt>) and its value (<dd id>), as text.
 * @param {string} label
 * @param {string | Node} value
 * @param {string} id
 */
export const fact = (label, value, id) => [el("dt", {}, label), el("dd", { id }, value)];

/**
 * "author · time", the author isolated in its own <bdi>: a name with a right-to-left override
 * (or in Arabic or Hebrew) never reorders the time drawn beside it.
 * @param {string} who
 * @param {string} time
 */
export function when(who, time) {
  return el("span", { class: "when" }, who ? el("bdi", { class: "who" }, who) : null, who && time ? " · " : null,
    time ? el("time", {}, time) : null);
}

/**
 * A decision's reason, in the language of the page (MettriI18n.pick).
 * @param {{ reason_pt: string, reason_en: string }} obj
 */
export const reason = (obj) => MettriI18n.pick(obj.reason_pt, obj.reason_en);
/** A refused command, in the page's language (MettriI18n.errorText). */
export const errorText = MettriI18n.errorText;

/**
 * The page's locale for numbers and dates: the language its words are in (chrome.i18n), the one
 * every page formats with (MettriI18n.apply writes it into <html lang> too, but only once it ran).
 */
export const locale = chrome.i18n.getUILanguage();
const countFormat = new Intl.NumberFormat(locale);
/** A number in the page's locale: 1.234 (pt-BR), 1,234 (en). @param {number} n */
export const count = (n) => countFormat.format(n);
const secondsFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** A duration in milliseconds as seconds to a tenth: 1,5 (pt-BR), 1.5 (en); the text adds " s". @param {number} ms */
export const seconds = (ms) => secondsFormat.format(ms / 1000);
const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });
/** @param {number | null | undefined} s epoch seconds */
export const fmtTime = (s) => (s ? timeFormat.format(new Date(s * 1000)) : "");
const secondFormat = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" });
/** To the second, for logs and reports support reads. @param {number} s epoch seconds */
export const fmtSecond = (s) => secondFormat.format(new Date(s * 1000));
/** @param {number} seconds */
export function fmtDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h ? t("durationHm", [String(h), String(m)]) : t("durationM", [String(Math.max(1, m))]);
}

/**
 * Save text as a file (no downloads permission needed).
 * @param {string} filename
 * @param {string} text
 * @param {string} type
 */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
