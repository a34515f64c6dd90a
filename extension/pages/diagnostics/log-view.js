// @ts-check
// The core's log (core.logs / core.log events): what happened and why, newest last, with a
// level filter and an export support can ask for. Every value is drawn as text.
import { count, fmtSecond } from "../sidepanel/dom.js";

const { t, tn } = MettriI18n;
/** The part of Mettri a line is from, in the page's language (its internal name, e.g. "search", stays in the export);
 *  a logger below one ("search.snapshot") is named as its part. */
const kindLabel = (/** @type {string} */ kind) => chrome.i18n.getMessage(`logKind_${kind.split(".")[0]}`) || t("logKind_other");

/** @typedef {Mettri.logs.LogEntry} Entry */

/** @param {HTMLElement} root */
export function mountLogView(root) {
  const title = document.createElement("h2");
  title.textContent = t("diagLogTitle");
  const label = document.createElement("label");
  label.textContent = t("diagLogLevel") + " ";
  const level = document.createElement("select");
  level.id = "diag-log-level";
  for (const name of /** @type {const} */ (["info", "warning", "error"])) {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = t(`logLevel_${name}`);
    level.append(o);
  }
  label.append(level);
  const exportButton = document.createElement("button");
  exportButton.type = "button";
  exportButton.textContent = t("diagLogExport");
  const note = document.createElement("p");
  const list = document.createElement("ol");
  list.className = "log";
  root.replaceChildren(title, label, exportButton, note, list);

  /** @type {Entry[]} */
  let entries = [];

  /** @param {Entry} e */
  function row(e) {
    const li = document.createElement("li");
    li.className = `log-${e.level}`;
    const when = document.createElement("time");
    when.dateTime = new Date(e.ts * 1000).toISOString();
    when.textContent = fmtSecond(e.ts);
    const what = document.createElement("span");
    what.textContent = ` ${t(`logLevel_${e.level}`)} · ${kindLabel(e.kind)}: ${e.message}`;
    li.dataset.kind = e.kind;
    li.append(when, what);
    return li;
  }

  async function refresh() {
    const result = await MettriApi.core.logs({ level: /** @type {Entry["level"]} */ (level.value), limit: 500 });
    entries = result.entries;
    list.replaceChildren(...entries.map(row));
    note.textContent = entries.length ? (result.dropped ? tn("diagLogDropped", result.dropped, [count(result.dropped)]) : "") : t("diagLogEmpty");
  }

  exportButton.addEventListener("click", () => {
    const blob = new Blob([JSON.stringify(entries, null, 1)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `mettri-log-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  });
  level.addEventListener("change", refresh);
  MettriCore.onEvent((envelope) => {
    if (envelope.event === "core.log") refresh();
  });
  return refresh();
}
