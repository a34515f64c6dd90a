// @ts-check
// The pipeline board (full tab): a column per stage with its count and the total value in R$,
// a card per deal. A card moves to another stage by drag and drop, or from the keyboard
// (focus it, Left/Right arrows). Each move is a versioned crm.deal.set: when another page
// changed the record first, the core answers ``conflict`` with the record as it is now; the
// move is re-applied on it unless the other page moved this same deal (then the user chooses).
// After each paint <main> carries data-painted, after each stored move data-moved (counts).
import { byId, el, errorText, t } from "../sidepanel/dom.js";
import { defs, loaded, onDefs, pipelineOf, pipelineName, stageName, tagOf } from "../crm/defs.js";
import { count, lang, money } from "../crm/format.js";
import { ask, tagChip } from "../crm/widgets.js";
import { writeWithVersion } from "../crm/write.js";
import { coalesce } from "../contacts/coalesce.js";

MettriI18n.apply();
const main = byId("board-main");
const boardEl = byId("board");
const summary = byId("board-summary");
const errorEl = byId("board-error");
const announce = byId("board-announce");
const form = /** @type {HTMLFormElement} */ (byId("board-filters"));

/** @type {Mettri.crm.CrmBoard | null} */
let board = null;
let painted = 0;
let moved = 0;
/** the card to focus after the next paint (keyboard moves keep the focus on the card) */
let focusKey = /** @type {string | null} */ (null);

// -- filters ---------------------------------------------------------------------------------
const q = el("input", { type: "search", id: "b-q", autocomplete: "off" });
const tag = el("select", { id: "b-tag" });
const pipeline = el("select", { id: "b-pipeline" });
const waiting = el("input", { type: "checkbox", id: "b-waiting" });
const overdue = el("input", { type: "checkbox", id: "b-overdue" });
const pipelineBox = el("label", { class: "filter" }, el("span", {}, t("contacts_pipeline")), pipeline);
form.append(
  el("label", { class: "filter" }, el("span", {}, t("contacts_search")), q),
  el("label", { class: "filter" }, el("span", {}, t("contacts_tag")), tag),
  pipelineBox,
  el("label", { class: "check" }, waiting, t("contacts_waiting")),
  el("label", { class: "check" }, overdue, t("contacts_overdue")));
form.addEventListener("input", () => load());
form.addEventListener("submit", (e) => e.preventDefault());

/** @param {Mettri.crm.CrmDefs} d */
function setDefs(d) {
  const keep = { tag: tag.value, pipeline: pipeline.value };
  tag.replaceChildren(el("option", { value: "" }, t("contacts_any")), ...d.tags.map((x) => el("option", { value: x.id }, x.name)));
  pipeline.replaceChildren(...d.pipelines.map((p) => el("option", { value: p.id }, pipelineName(p))));
  pipelineBox.hidden = d.pipelines.length < 2;
  tag.value = keep.tag;
  pipeline.value = keep.pipeline || pipelineOf(d, null)?.id || "";
}

/** @returns {Mettri.crm.CrmFilters} */
function filters() {
  /** @type {Mettri.crm.CrmFilters} */
  const f = { lang, pipeline: pipeline.value || null };
  if (q.value.trim()) f.q = q.value.trim();
  if (tag.value) f.tags = [tag.value];
  if (waiting.checked) f.waiting = true;
  if (overdue.checked) f.overdue = true;
  return f;
}

// -- loading and drawing -------------------------------------------------------------------------
/** Ask the core for the board (one request at a time: see contacts/coalesce.js). */
const load = coalesce(async () => {
  main.setAttribute("aria-busy", "true");
  try {
    board = await MettriApi.crm.board({ pipeline: pipeline.value || null, filters: filters(), per_stage: 100 });
    errorEl.textContent = "";
    draw();
  } catch (err) {
    errorEl.textContent = errorText(/** @type {Mettri.CallError} */ (err));
    main.setAttribute("aria-busy", "false");
  }
});

/** @param {Mettri.crm.CrmRow} row */
const dealIn = (row) => row.deals.find((x) => x.pipeline === board?.pipeline.id) ?? null;

function draw() {
  const d = loaded();
  if (!board || !d) return;
  const b = board;
  // A redraw keeps the focus on the card that had it (keyboard users move a card several times).
  const focused = /** @type {HTMLElement | null} */ (boardEl.querySelector(".card:focus"))?.dataset.key ?? null;
  summary.textContent = t("board_summary", [count(b.open_count), money(b.open_total_cents)]);
  boardEl.replaceChildren(...b.columns.map((col, i) => {
    const headingId = `stage-${i}`;
    const list = el("ol", { class: "cards", "aria-labelledby": headingId },
      col.rows.map((row) => card(row, col.stage, i, d)));
    const more = col.count - col.rows.length;
    return el("section", { class: `column ${col.stage.outcome}`, dataset: { stage: col.stage.id },
      ondragover: (/** @type {DragEvent} */ e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "move"; },
      ondragenter: (/** @type {DragEvent} */ e) => /** @type {HTMLElement} */ (e.currentTarget).classList.add("over"),
      ondragleave: (/** @type {DragEvent} */ e) => {
        const target = /** @type {HTMLElement} */ (e.currentTarget);
        if (!target.contains(/** @type {Node | null} */ (e.relatedTarget))) target.classList.remove("over");
      },
      ondrop: (/** @type {DragEvent} */ e) => {
        e.preventDefault();
        /** @type {HTMLElement} */ (e.currentTarget).classList.remove("over");
        const key = e.dataTransfer?.getData("text/plain");
        const row = key ? b.columns.flatMap((c) => c.rows).find((r) => r.key === key) : null;
        if (row) move(row, col.stage);
      } },
    el("header", {},
      el("h2", { id: headingId }, stageName(col.stage)),
      el("p", { class: "totals" }, el("span", { class: "count" }, t("board_count", [count(col.count)])),
        " · ", el("span", { class: "total" }, money(col.total_cents)))),
    list,
    more > 0 ? el("p", { class: "meta" }, t("board_more", [count(more)])) : "");
  }));
  const refocus = focusKey ?? focused;
  if (refocus) {
    const target = /** @type {HTMLElement | null} */ (boardEl.querySelector(`.card[data-key="${CSS.escape(refocus)}"]`));
    target?.focus();
    if (target) focusKey = null;
  }
  main.setAttribute("aria-busy", "false");
  main.dataset.painted = String(++painted);
  performance.mark("mettri-painted"); // the benchmark reads the first one (scripts/bench_crm_pages.py)
}

/**
 * @param {Mettri.crm.CrmRow} row
 * @param {Mettri.crm.CrmStage} stage
 * @param {number} index the column
 * @param {Mettri.crm.CrmDefs} d
 */
function card(row, stage, index, d) {
  const deal = dealIn(row);
  const tags = row.tags.map((id) => tagOf(d, id)).filter((x) => x !== null);
  return el("li", {
    class: "card", tabindex: "0", draggable: "true", dataset: { key: row.key },
    "aria-label": t("board_cardLabel", [row.name, stageName(stage)]), "aria-describedby": "board-help",
    ondragstart: (/** @type {DragEvent} */ e) => { e.dataTransfer?.setData("text/plain", row.key); if (e.dataTransfer) e.dataTransfer.effectAllowed = "move"; },
    onkeydown: (/** @type {KeyboardEvent} */ e) => keyMove(e, row, index),
  },
  el("strong", { class: "name" }, row.name),
  deal?.value_cents != null ? el("span", { class: "value" }, money(deal.value_cents)) : "",
  row.waiting ? el("span", { class: "badge waiting" }, t("contacts_waitingBadge")) : "",
  row.overdue ? el("span", { class: "badge overdue" }, t("contacts_overdueBadge", [String(row.overdue)])) : "",
  tags.length ? el("span", { class: "tags" }, tags.map((x) => tagChip(/** @type {Mettri.crm.CrmTag} */ (x)))) : "");
}

/** Left/Right move the card one stage; Up/Down go through the column's cards. @param {KeyboardEvent} e @param {Mettri.crm.CrmRow} row @param {number} index */
function keyMove(e, row, index) {
  if (!board || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = /** @type {HTMLElement} */ (e.currentTarget);
  if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
    e.preventDefault();
    const to = board.columns[index + (e.key === "ArrowRight" ? 1 : -1)];
    if (to) { focusKey = row.key; move(row, to.stage); }
  } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault();
    const next = e.key === "ArrowDown" ? target.nextElementSibling : target.previousElementSibling;
    /** @type {HTMLElement | null} */ (next)?.focus();
  }
}

/**
 * Move a deal to a stage, on the version this page saw; a conflict is resolved by crm/write.js.
 * @param {Mettri.crm.CrmRow} row
 * @param {Mettri.crm.CrmStage} stage
 */
async function move(row, stage) {
  const b = board;
  if (!b || dealIn(row)?.stage === stage.id) return;
  const seen = dealIn(row)?.stage ?? null;
  errorEl.textContent = "";
  mine.add(row.key);
  try {
    const done = await writeWithVersion({
      base: row,
      version: (r) => r.version,
      send: (version) => MettriApi.crm.deal.set({ chat: row.key, version, pipeline: b.pipeline.id, stage: stage.id, lang }),
      same: (_base, now) => (now.deals.find((x) => x.pipeline === b.pipeline.id)?.stage ?? null) === seen,
      ask: (now) => ask(byId("board-asks"), t("board_conflict", [now.name]), t("board_conflictMine"), t("board_conflictTheirs")),
    });
    if (done) {
      announce.textContent = t("board_moved", [row.name, stageName(stage)]);
      main.dataset.moved = String(++moved);
    }
  } catch (err) {
    errorEl.textContent = errorText(/** @type {Mettri.CallError} */ (err));
  }
  await load();
  mine.delete(row.key); // drawn as stored: a later change to it, from anywhere, is drawn again
}

// For tests and DevTools: the board as drawn, and a move as a drop or a key press makes it.
Object.assign(globalThis, { mettriBoard: { shown: () => board, move } });

// Another page changed records or definitions: draw what is stored now. The echo of this page's
// own move is skipped: the move reloads after its write anyway, and a second reload would hold
// the core (a board is thousands of records) while the user's next move waits behind it.
/** records this page moved whose crm.changed has not come back yet */
const mine = new Set();
let pending = false;
MettriCore.onEvent((e) => {
  if (e.event !== "crm.changed") return;
  const { keys, many, defs: defsChanged } = e.data;
  if (!many && !defsChanged && keys.length && keys.every((k) => mine.has(k))) {
    for (const k of keys) mine.delete(k);
    return;
  }
  if (pending) return;
  pending = true;
  queueMicrotask(() => { pending = false; load(); });
});
onDefs((d) => { setDefs(d); load(); });
MettriCore.ensureCore().then(defs).then((d) => { setDefs(d); return load(); })
  .catch((err) => { errorEl.textContent = errorText(err); main.setAttribute("aria-busy", "false"); });
