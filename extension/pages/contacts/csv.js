// @ts-check
// CSV in and out. Export: the records matching the filters, as the core writes them (';' and
// decimal comma in pt-BR so Excel opens it). Import: pick a file -> the core reads it and
// suggests a mapping -> the user maps columns -> dry-run preview (created / updated / unchanged /
// rejected, with the reason per row) -> apply. The core makes re-importing a file a no-op.
import { download, el, errorText, t } from "../sidepanel/dom.js";
import { label, lang, count, utcOffsetMin } from "../crm/format.js";

const MAX_BASE64 = MettriProtocol.crm.bounds.ParseImport?.data?.maxLength ?? 16_000_000;

/** @param {Mettri.crm.CrmFilters} filters */
export async function exportCsv(filters) {
  const file = await MettriApi.crm.export.csv({ filters, lang, utc_offset_min: utcOffsetMin() });
  download(file.filename, file.text, "text/csv;charset=utf-8");
  return file;
}

/** @param {File} file */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** @param {Mettri.crm.ImportTarget} target */
const targetText = (target) => t(`csv_target_${target}`);

/**
 * The import panel (hidden until opened).
 * @param {HTMLElement} root
 * @param {{ defs: () => Mettri.crm.CrmDefs | null, done: (text: string) => void }} o
 */
export function mountImport(root, o) {
  const file = el("input", { type: "file", id: "csv-file", accept: ".csv,.txt,text/csv" });
  const error = el("p", { id: "csv-error", class: "error", role: "alert" });
  const step = el("div", { id: "csv-step" });
  root.replaceChildren(
    el("h2", { id: "csv-import-title" }, t("csv_importTitle")),
    el("p", { class: "meta" }, t("csv_importHint")),
    el("label", {}, t("csv_file"), file),
    error, step,
    el("button", { type: "button", id: "csv-close", onclick: () => close() }, t("csv_close")));

  function close() {
    root.hidden = true;
    step.replaceChildren();
    file.value = "";
    error.textContent = "";
    document.getElementById("csv-import-open")?.focus();
  }

  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    error.textContent = "";
    step.replaceChildren();
    if (!f) return;
    try {
      const data = await base64Of(f);
      if (data.length > MAX_BASE64) return void (error.textContent = t("csv_tooBig"));
      const parsed = await MettriApi.crm.import.parse({ data, filename: f.name.slice(0, 200) });
      mapping(parsed);
    } catch (err) {
      error.textContent = errorText(/** @type {Mettri.CallError} */ (err));
    }
  });

  /** The column-mapping step. @param {Mettri.crm.CrmParsedFile} parsed */
  function mapping(parsed) {
    const d = o.defs();
    const suggested = new Map(parsed.mapping.map((m) => [m.column, m]));
    /** value of a target select: "name", "field:<id>", ... */
    const options = [
      ...MettriProtocol.crm.ImportTarget.filter((x) => x !== "field").map((x) => [x, targetText(x)]),
      ...(d?.fields ?? []).map((f) => [`field:${f.id}`, t("csv_target_fieldNamed", [f.label])]),
    ];
    const selects = parsed.columns.map((c) => {
      const s = suggested.get(c.index);
      const sel = el("select", { id: `csv-map-${c.index}`, dataset: { column: String(c.index) } },
        options.map(([v, text]) => el("option", { value: v }, text)));
      sel.value = s ? (s.target === "field" ? `field:${s.field}` : s.target) : "ignore";
      return sel;
    });
    const header = el("input", { type: "checkbox", id: "csv-has-header" });
    header.checked = parsed.has_header;
    const result = el("div", { id: "csv-result", "aria-live": "polite" });
    step.replaceChildren(
      el("p", { id: "csv-parsed" }, t("csv_parsed", [count(parsed.rows), String(parsed.columns.length)])),
      el("label", { class: "check" }, header, t("csv_hasHeader")),
      el("table", { class: "csv-map", id: "csv-map" },
        el("caption", {}, t("csv_mapCaption")),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("csv_column")), el("th", { scope: "col" }, t("csv_samples")), el("th", { scope: "col" }, t("csv_mapTo")))),
        el("tbody", {}, parsed.columns.map((c, i) => el("tr", {},
          el("th", { scope: "row" }, el("label", { for: selects[i].id }, c.header || t("csv_columnN", [String(c.index + 1)]))),
          el("td", { class: "samples" }, c.samples.filter(Boolean).slice(0, 3).join(" · ")),
          el("td", {}, selects[i]))))),
      el("button", { type: "button", id: "csv-preview", class: "primary", onclick: () => run(false) }, t("csv_preview")),
      result);

    /** @returns {Mettri.crm.ApplyImport} */
    function plan() {
      return {
        import_id: parsed.import_id, lang, has_header: header.checked,
        mapping: selects.filter((s) => s.value !== "ignore").map((s) => {
          const column = Number(s.dataset.column);
          return s.value.startsWith("field:") ? { column, target: "field", field: s.value.slice(6) }
            : { column, target: /** @type {Mettri.crm.ImportTarget} */ (s.value) };
        }),
      };
    }

    /** @param {boolean} apply */
    async function run(apply) {
      error.textContent = "";
      const p = plan();
      if (!p.mapping.length) return void (error.textContent = t("csv_nothingMapped"));
      try {
        const report = apply ? await MettriApi.crm.import.apply(p) : await MettriApi.crm.import.preview({ ...p, limit: 1000 });
        showReport(report, result, apply);
        if (apply) o.done(t("csv_appliedToast", [count(report.created), count(report.updated)]));
      } catch (err) {
        error.textContent = errorText(/** @type {Mettri.CallError} */ (err));
      }
    }

    /** @param {Mettri.crm.CrmImportReport} r @param {HTMLElement} host @param {boolean} applied */
    function showReport(r, host, applied) {
      const summary = t(applied ? "csv_appliedSummary" : "csv_previewSummary",
        [count(r.created), count(r.updated), count(r.unchanged), count(r.rejected)]);
      const rows = r.rows.filter((x) => x.outcome !== "unchanged" || applied === false);
      host.replaceChildren(
        el("p", { id: "csv-summary", dataset: { created: String(r.created), updated: String(r.updated), unchanged: String(r.unchanged), rejected: String(r.rejected), applied: String(r.applied) } }, summary),
        r.new_tags.length ? el("p", {}, t("csv_newTags", [r.new_tags.join(", ")])) : "",
        el("div", { class: "table-wrap" }, el("table", { class: "csv-report", id: "csv-report" },
          el("thead", {}, el("tr", {}, ["csv_line", "csv_outcome", "contacts_colName", "contacts_colPhone", "csv_reason"].map((k) => el("th", { scope: "col" }, t(k))))),
          el("tbody", {}, rows.map((x) => el("tr", { dataset: { row: String(x.row), outcome: x.outcome } },
            el("td", { class: "num" }, String(x.row)),
            el("td", { class: `outcome ${x.outcome}` }, t(`csv_outcome_${x.outcome}`)),
            el("td", {}, x.name ?? ""),
            el("td", {}, x.phone ?? ""),
            el("td", { class: "reason" }, x.reason ? label(x.reason) : "")))))),
        !applied && r.created + r.updated > 0
          ? el("button", { type: "button", id: "csv-apply", class: "primary", onclick: () => run(true) }, t("csv_apply"))
          : "");
    }
  }

  return {
    open() {
      root.hidden = false;
      file.focus();
    },
  };
}
