// @ts-check
// How the CRM pages write money, numbers, dates and the core's two-language labels, in the
// page's locale (chrome.i18n.getUILanguage): R$ 1.234,56 in pt-BR, R$1,234.56 in English.
// Parsing what the user types is the core's job (it reads "1.234,56" in pt-BR): pages send
// the text and the language (``lang``).

import { locale } from "../sidepanel/dom.js";

export { count, fmtTime as dateTime, locale } from "../sidepanel/dom.js";
/** The language the core writes labels and reads typed numbers in: the page's. */
export const lang = /** @type {Mettri.crm.Lang} */ (MettriI18n.pick("pt_BR", "en"));

const moneyFormat = new Intl.NumberFormat(locale, { style: "currency", currency: "BRL" });
const moneyPlain = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const shortDay = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" });
const timeFormat = new Intl.DateTimeFormat(locale, { timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });

/** @param {number | null | undefined} cents integer cents (BRL) */
export const money = (cents) => (cents == null ? "" : moneyFormat.format(cents / 100));
/** What an amount looks like in an input box: 1.234,56 (pt-BR) / 1,234.56 (en), no symbol. */
export const moneyInput = (/** @type {number | null | undefined} */ cents) => (cents == null ? "" : moneyPlain.format(cents / 100));
/** @param {number | null | undefined} n */
export const number = (n) => (n == null ? "" : numberFormat.format(n));

/** "YYYY-MM-DD" -> a local Date at midnight (never through UTC, which moves the day). */
export function isoDay(/** @type {string} */ iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d);
}
/** @param {string | null | undefined} iso "YYYY-MM-DD" */
export const day = (iso) => (iso ? dayFormat.format(isoDay(iso)) : "");

/**
 * When something happened or is due, as people say it: "14:32" today, "ontem", "3 de mar." ...
 * @param {number | null | undefined} s epoch seconds
 */
export function when(s) {
  if (!s) return "";
  const date = new Date(s * 1000);
  const today = new Date();
  const days = Math.round((startOfDay(date) - startOfDay(today)) / 86_400_000);
  if (days === 0) return timeFormat.format(date);
  if (Math.abs(days) === 1) return `${relative.format(days, "day")} ${timeFormat.format(date)}`;
  return `${shortDay.format(date)} ${timeFormat.format(date)}`;
}

/** How long ago / from now, in words: "há 2 horas", "in 3 days". @param {number} seconds signed */
export function fromNow(seconds) {
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(Math.round(seconds), "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** @param {Date} d */
function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** A {pt_BR, en} label of the core in the page's language. @param {Mettri.crm.CrmLabel | null | undefined} l */
export const label = (l) => (l ? MettriI18n.pick(l.pt_BR, l.en) : "");

/** epoch seconds -> the value of an <input type="datetime-local"> (local time). @param {number} s */
export function toLocalInput(s) {
  const d = new Date(s * 1000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
/** An <input type="datetime-local"> value -> epoch seconds (null when empty or invalid). @param {string} v */
export function fromLocalInput(v) {
  const ms = v ? new Date(v).getTime() : NaN;
  return Number.isFinite(ms) ? ms / 1000 : null;
}
/** The page's offset from UTC in minutes (the core's utc_offset_min). */
export const utcOffsetMin = () => -new Date().getTimezoneOffset();
