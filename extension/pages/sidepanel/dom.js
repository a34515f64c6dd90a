// Small DOM helpers for the side panel's views. Text always goes in as text nodes:
// names and messages come from WhatsApp and are never parsed as HTML.
export const t = (key, subs) => globalThis.MettriI18n.t(key, subs);
export const call = (type, args) => globalThis.MettriCore.call(type, args);
export const onEvent = (fn) => globalThis.MettriCore.onEvent(fn);

/** el("button", {class: "x", onclick: fn}, "text", child) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A decision's reason, in the language of the page (MettriI18n.pick). */
export const reason = (obj) => globalThis.MettriI18n.pick(obj.reason_pt, obj.reason_en);

const timeFormat = new Intl.DateTimeFormat(chrome.i18n.getUILanguage(), { dateStyle: "short", timeStyle: "short" });
export const fmtTime = (s) => (s ? timeFormat.format(new Date(s * 1000)) : "");
export function fmtDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h ? t("durationHm", [String(h), String(m)]) : t("durationM", [String(Math.max(1, m))]);
}

/** Save text as a file (no downloads permission needed). */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
