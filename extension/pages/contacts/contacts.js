// @ts-check
// The contacts page (full tab): every CRM record in a table with search, filters, sort and
// pages; bulk tag / untag / move stage / campaign on a selection; CSV export and import; a
// record's chat opened in WhatsApp. The core filters, sorts and pages (crm.list); this page
// draws. After each paint <main> carries data-painted (a count) so tests and the benchmark
// wait for the page itself, never for a fixed time.
import { byId, el, errorText, t, tn } from "../sidepanel/dom.js";
import { defs, loaded, onDefs } from "../crm/defs.js";
import { count } from "../crm/format.js";
import { toast } from "../crm/widgets.js";
import { mountFilters } from "./filters.js";
import { drawHead, drawRow } from "./table.js";
import { mountBulk } from "./bulk.js";
import { exportCsv, mountImport } from "./csv.js";
import { openInWhatsApp } from "./open-chat.js";
import { mergeSelected, mergedContacts, splitButtons } from "./merge.js";
import { coalesce } from "./coalesce.js";

MettriI18n.apply();
const PAGE = 50;
const main = byId("contacts");
const body = byId("records-body");
const caption = byId("records-caption");
const pager = byId("pager");
const filterError = byId("filters-error");
const toasts = byId("toasts");
const asks = byId("contacts-asks");
const nowS = () => Date.now() / 1000;

/** @type {{ filters: Mettri.crm.CrmFilters, sort: Mettri.crm.SortKey, descending: boolean, offset: number }} */
const state = { filters: {}, sort: "last_activity", descending: true, offset: 0 };
/** @type {Map<string, string>} selected record key -> name */
const selection = new Map();
/** @type {Mettri.crm.CrmRow[]} */
let rows = [];
/** contacts merged into each record's key (to split them off) */
let merged = /** @type {Awaited<ReturnType<typeof mergedContacts>>} */ (new Map());
let total = 0;
let painted = 0;

const selectAll = el("input", { type: "checkbox", id: "pick-page", "aria-label": t("contacts_pickPage"), onchange: () => {
  for (const r of rows) selectAll.checked ? selection.set(r.key, r.name) : selection.delete(r.key);
  draw();
} });

const filterBar = mountFilters(/** @type {HTMLFormElement} */ (byId("filters")), (f) => {
  state.filters = f;
  state.offset = 0;
  load();
}, nowS);
const bulk = mountBulk(byId("bulk"), {
  selection, defs: loaded, pipeline: () => state.filters.pipeline,
  done: (text) => { toast(toasts, text); load(); },
  clear: () => { selection.clear(); draw(); },
  merge: () => mergeSelected(asks, selection, (text) => { selection.clear(); toast(toasts, text); load(); }, (text) => toast(toasts, text)),
});
const importer = mountImport(byId("csv-import"), { defs: loaded, done: (text) => { toast(toasts, text); load(); } });

byId("csv-import-open").addEventListener("click", () => importer.open());
byId("csv-export").addEventListener("click", async () => {
  try {
    const file = await exportCsv(state.filters);
    toast(toasts, t("csv_exported", [count(file.rows)]));
  } catch (err) {
    toast(toasts, errorText(/** @type {Mettri.CallError} */ (err)));
  }
});

/** @param {Mettri.crm.SortKey} key */
function sortBy(key) {
  state.descending = state.sort === key ? !state.descending : key === "last_activity" || key === "value";
  state.sort = key;
  state.offset = 0;
  load();
}

/** Ask the core for the page (one request at a time: see coalesce.js). */
const load = coalesce(async () => {
  main.setAttribute("aria-busy", "true");
  try {
    const [r, m] = await Promise.all([
      MettriApi.crm.list({ filters: state.filters, sort: state.sort, descending: state.descending, offset: state.offset, limit: PAGE }),
      mergedContacts().catch(() => merged)]);
    merged = m;
    filterError.textContent = "";
    rows = r.rows;
    total = r.total;
    if (state.offset && state.offset >= total) { // the last page emptied (a filter or a bulk move)
      state.offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      load();
      return;
    }
  } catch (err) {
    filterError.textContent = errorText(/** @type {Mettri.CallError} */ (err));
  }
  draw();
});

function draw() {
  const d = loaded();
  if (!d) return;
  drawHead(byId("records-head"), state, sortBy, selectAll);
  body.replaceChildren(...rows.map((row) => drawRow(row, {
    defs: d, pipeline: state.filters.pipeline, now: nowS(), selected: new Set(selection.keys()),
    onPick: (key, on) => { on ? selection.set(key, row.name) : selection.delete(key); selectAll.checked = rows.every((r) => selection.has(r.key)); bulk.update(); },
    onOpen: (r) => openInWhatsApp(r.key).catch((err) => toast(toasts, errorText(err))),
    actions: splitButtons(row, merged.get(row.key) ?? [], asks, (text) => { toast(toasts, text); load(); }, (text) => toast(toasts, text)),
  })));
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: "9", class: "empty" }, el("span", {}, t(total || hasFilters() ? "contacts_noMatch" : "contacts_none")))));
  selectAll.checked = rows.length > 0 && rows.every((r) => selection.has(r.key));
  const last = Math.min(state.offset + rows.length, total);
  caption.textContent = total ? tn("contacts_range", total, [count(state.offset + 1), count(last), count(total)]) : t("contacts_count0");
  pager.replaceChildren(
    el("button", { type: "button", id: "page-prev", disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, t("contacts_prev")),
    el("button", { type: "button", id: "page-next", disabled: last >= total, onclick: () => { state.offset += PAGE; load(); } }, t("contacts_next")));
  bulk.update();
  main.setAttribute("aria-busy", "false");
  main.dataset.painted = String(++painted);
  performance.mark("mettri-painted"); // the benchmark reads the first one (scripts/bench_crm_pages.py)
}

const hasFilters = () => Object.keys(state.filters).some((k) => k !== "lang" && k !== "pipeline");

// Another page (the side panel's card, the board) changed records: redraw with what is stored.
let pending = false;
MettriCore.onEvent((e) => {
  if (e.event !== "crm.changed" || pending) return;
  pending = true;
  queueMicrotask(() => { pending = false; load(); });
});

onDefs((d) => { filterBar.setDefs(d); draw(); });
MettriCore.ensureCore().then(defs).then((d) => {
  filterBar.setDefs(d);
  state.filters = filterBar.filters();
  return load();
}).catch((err) => { filterError.textContent = errorText(err); main.setAttribute("aria-busy", "false"); });
