// @ts-check
// The contacts page's filter bar: search, tag, stage, a custom field's value, last activity,
// waiting for an answer, overdue reminder. It only builds the core's CrmFilters; the core
// filters (and parses a typed field value in the page's language).
import { el, t } from "../sidepanel/dom.js";
import { pipelineOf, stageName, pipelineName } from "../crm/defs.js";
import { lang } from "../crm/format.js";

const DAY = 86_400;
/** Last-activity choices: [value, message key, since (days ago), before (days ago)]. */
const ACTIVITY = /** @type {const} */ ([
  ["", "contacts_activityAny", null, null],
  ["1", "contacts_activity1", 1, null],
  ["7", "contacts_activity7", 7, null],
  ["30", "contacts_activity30", 30, null],
  ["old30", "contacts_activityOld30", null, 30],
]);
const FIELD_OPS = /** @type {const} */ ([
  ["contains", "contacts_opContains"], ["eq", "contacts_opEq"], ["gte", "contacts_opGte"],
  ["lte", "contacts_opLte"], ["not_empty", "contacts_opNotEmpty"], ["empty", "contacts_opEmpty"],
]);

/**
 * @param {string} text
 * @param {HTMLElement} control
 */
function field(text, control) {
  return el("label", { class: "filter" }, el("span", {}, text), control);
}

/** @param {[string, string][]} options value, text @param {Record<string, unknown>} [attrs] */
function select(options, attrs = {}) {
  return el("select", attrs, options.map(([value, text]) => el("option", { value }, text)));
}

/**
 * @param {HTMLFormElement} form
 * @param {(filters: Mettri.crm.CrmFilters) => void} onChange
 * @param {() => number} now epoch seconds (the page's clock)
 */
export function mountFilters(form, onChange, now) {
  const q = el("input", { type: "search", id: "f-q", autocomplete: "off", placeholder: t("contacts_searchHint") });
  const tag = select([], { id: "f-tag" });
  const pipeline = select([], { id: "f-pipeline" });
  const stage = select([], { id: "f-stage" });
  const fieldId = select([], { id: "f-field", "aria-label": t("contacts_field") });
  const op = select(FIELD_OPS.map(([v, k]) => [v, t(k)]), { id: "f-op", "aria-label": t("contacts_fieldOp") });
  const value = el("input", { type: "text", id: "f-value", autocomplete: "off", "aria-label": t("contacts_fieldValue") });
  const activity = select(ACTIVITY.map(([v, k]) => [v, t(k)]), { id: "f-activity" });
  const waiting = el("input", { type: "checkbox", id: "f-waiting" });
  const overdue = el("input", { type: "checkbox", id: "f-overdue" });
  const pipelineBox = field(t("contacts_pipeline"), pipeline);
  form.replaceChildren(
    field(t("contacts_search"), q), field(t("contacts_tag"), tag), pipelineBox, field(t("contacts_stage"), stage),
    el("fieldset", { class: "filter field-filter" }, el("legend", {}, t("contacts_field")), fieldId, op, value),
    field(t("contacts_activity"), activity),
    el("label", { class: "check" }, waiting, t("contacts_waiting")),
    el("label", { class: "check" }, overdue, t("contacts_overdue")),
    el("button", { type: "reset", id: "f-clear" }, t("contacts_clear")),
  );

  /** @type {Mettri.crm.CrmDefs | null} */
  let d = null;

  /** Fill the selects from the definitions, keeping what was chosen. @param {Mettri.crm.CrmDefs} defs */
  function setDefs(defs) {
    d = defs;
    const keep = { tag: tag.value, pipeline: pipeline.value, stage: stage.value, field: fieldId.value };
    tag.replaceChildren(el("option", { value: "" }, t("contacts_any")), el("option", { value: "-" }, t("contacts_untagged")),
      ...defs.tags.map((x) => el("option", { value: x.id }, x.name)));
    pipeline.replaceChildren(...defs.pipelines.map((p) => el("option", { value: p.id }, pipelineName(p))));
    pipelineBox.hidden = defs.pipelines.length < 2;
    fieldId.replaceChildren(el("option", { value: "" }, t("contacts_fieldPick")), ...defs.fields.map((f) => el("option", { value: f.id }, f.label)));
    tag.value = keep.tag;
    pipeline.value = keep.pipeline || pipelineOf(defs, null)?.id || "";
    fieldId.value = keep.field;
    fillStages(keep.stage);
    if (tag.value !== keep.tag || fieldId.value !== keep.field) changed(); // a chosen tag/field was deleted
  }

  /** @param {string} keep */
  function fillStages(keep) {
    const p = d ? pipelineOf(d, pipeline.value) : null;
    stage.replaceChildren(el("option", { value: "" }, t("contacts_any")), ...(p?.stages ?? []).map((s) => el("option", { value: s.id }, stageName(s))));
    stage.value = keep;
  }

  /** @returns {Mettri.crm.CrmFilters} */
  function filters() {
    /** @type {Mettri.crm.CrmFilters} */
    const f = { lang, pipeline: pipeline.value || null };
    if (q.value.trim()) f.q = q.value.trim();
    if (tag.value === "-") f.untagged = true;
    else if (tag.value) f.tags = [tag.value];
    if (stage.value) f.stages = [stage.value];
    const opValue = /** @type {Mettri.crm.FieldOp} */ (op.value);
    const needsValue = opValue !== "empty" && opValue !== "not_empty";
    value.disabled = !needsValue;
    if (fieldId.value && (!needsValue || value.value.trim())) {
      f.fields = [{ field: fieldId.value, op: opValue, value: needsValue ? value.value.trim() : null }];
    }
    const a = ACTIVITY.find(([v]) => v === activity.value);
    if (a?.[2]) f.active_since = now() - a[2] * DAY;
    if (a?.[3]) f.active_before = now() - a[3] * DAY;
    if (waiting.checked) f.waiting = true;
    if (overdue.checked) f.overdue = true;
    return f;
  }

  const changed = () => onChange(filters());
  form.addEventListener("input", changed);
  form.addEventListener("change", (e) => {
    // A text box says "change" again when it loses focus (the user clicks "next page" after
    // typing): its "input" events already filtered, and going back to page 1 would undo the click.
    const t = e.target;
    if (t instanceof HTMLInputElement && (t.type === "search" || t.type === "text")) return;
    if (t === pipeline) fillStages("");
    changed();
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", () => setTimeout(changed)); // after the form has cleared its controls
  return { setDefs, filters };
}
