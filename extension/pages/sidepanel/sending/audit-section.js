// @ts-check
// The audit log (every decision of the gate), with CSV / JSON export.
import { api, download, el, fmtTime, reason, t } from "../dom.js";

/** @param {HTMLElement} root */
export function mount(root) {
  const list = el("ul", { class: "list audit", id: "audit-list" });
  /** @param {Mettri.Args<"audit.export">["format"]} format */
  const exportAs = (format) => async () => {
    const r = await api.audit.export({ format });
    download(r.filename, r.text, format === "csv" ? "text/csv" : "application/json");
  };
  const refresh = async () => {
    const { records } = await api.audit.list({ limit: 100 });
    list.replaceChildren(...records.map((r) =>
      el("li", { dataset: { verdict: r.verdict } },
        el("span", { class: "title" }, r.action),
        el("span", { class: `verdict verdict-${r.verdict}` }, t("verdict_" + r.verdict)),
        el("span", { class: "preview" }, reason(r)),
        el("span", { class: "meta" }, fmtTime(r.ts)),
      )));
  };
  root.append(el("section", { class: "card" },
    el("h2", {}, t("auditTitle")),
    el("div", { class: "row" },
      el("button", { type: "button", id: "audit-refresh", onclick: refresh }, t("auditRefresh")),
      el("button", { type: "button", id: "audit-csv", onclick: exportAs("csv") }, t("auditExportCsv")),
      el("button", { type: "button", id: "audit-json", onclick: exportAs("json") }, t("auditExportJson"))),
    list));
  return refresh();
}
