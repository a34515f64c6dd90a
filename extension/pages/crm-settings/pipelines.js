// @ts-check
// Pipelines and their stages: rename a pipeline, rename, reorder, add or remove stages (each
// stage open, won or lost), add and delete pipelines. Removing a stage that still holds deals
// asks where the deals go (crm.pipeline.update's move_deals): nothing is deleted with them.
import { el, t } from "../sidepanel/dom.js";
import { pipelineName, stageName } from "../crm/defs.js";
import { ask, labelled } from "../crm/widgets.js";
import { drawKeyed, reasonOf, save } from "./common.js";

const OUTCOMES = MettriProtocol.crm.StageOutcome;

/**
 * @typedef {{ id: string | null, name: string, named: boolean, outcome: Mettri.crm.StageOutcome, shown: string }} StageDraft
 *   ``named``: the user gave it a name (a default stage keeps its labels in both languages until renamed)
 */

/** @param {Mettri.crm.CrmPipeline} p */
function pipelineForm(p) {
  const asks = el("div", { class: "asks" });
  /** @type {StageDraft[]} */
  let stages = p.stages.map((s) => ({ id: s.id, name: s.name ?? stageName(s), named: s.name != null, outcome: s.outcome, shown: stageName(s) }));
  const name = el("input", { type: "text", maxlength: 60, value: p.name ?? pipelineName(p), autocomplete: "off", dataset: { role: "pipeline-name" } });
  const list = el("ol", { class: "stages", "aria-label": t("crmSettings_stagesOf", [pipelineName(p)]) });
  const box = el("fieldset", { class: "def", dataset: { pipeline: p.id } }, el("legend", {}, pipelineName(p)));

  const draw = () => {
    list.replaceChildren(...stages.map((s, i) => {
      const input = el("input", { type: "text", maxlength: 60, value: s.name, autocomplete: "off", "aria-label": t("crmSettings_stageName", [String(i + 1)]), dataset: { role: "stage-name" } });
      input.addEventListener("input", () => {
        s.name = input.value;
        s.named = true;
      });
      const outcome = el("select", { "aria-label": t("crmSettings_stageOutcome", [s.name || String(i + 1)]) },
        OUTCOMES.map((o) => el("option", { value: o, selected: o === s.outcome }, t(`crmSettings_outcome_${o}`))));
      outcome.addEventListener("change", () => (s.outcome = /** @type {Mettri.crm.StageOutcome} */ (outcome.value)));
      const move = (/** @type {number} */ by) => () => {
        const j = i + by;
        [stages[i], stages[j]] = [stages[j], stages[i]];
        box.dataset.dirty = "1";
        draw();
        /** @type {HTMLButtonElement | undefined} */ (list.children[j]?.querySelector(`[data-move="${by}"]`) ?? undefined)?.focus();
      };
      return el("li", { dataset: { stage: s.id ?? "" } }, input, outcome,
        el("button", { type: "button", dataset: { move: "-1" }, disabled: i === 0, onclick: move(-1), "aria-label": t("crmSettings_stageUp", [s.name]) }, "↑"),
        el("button", { type: "button", dataset: { move: "1" }, disabled: i === stages.length - 1, onclick: move(1), "aria-label": t("crmSettings_stageDown", [s.name]) }, "↓"),
        el("button", { type: "button", class: "danger", disabled: stages.length === 1, "aria-label": t("crmSettings_stageRemove", [s.name]), onclick: () => {
          stages = stages.filter((x) => x !== s);
          box.dataset.dirty = "1";
          draw();
        } }, "×"));
    }));
  };
  draw();

  /** @param {Record<string, string>} moveDeals */
  const send = (moveDeals) => MettriApi.crm.pipeline.update({
    id: p.id, version: p.version,
    label: p.name == null && name.value.trim() === pipelineName(p) ? undefined : name.value.trim(),
    stages: stages.map((s) => ({ id: s.id, name: s.named || s.id == null ? s.name.trim() : null, outcome: s.outcome })),
    move_deals: moveDeals,
  });

  /** The stage being removed still holds deals: ask where they go, then save again (the refused
   * write is settled; the question stays until answered). @param {unknown} err */
  const whereTo = (err) => {
    if (reasonOf(err) !== "stage_in_use") return false;
    const kept = stages.filter((s) => s.id != null);
    const removed = p.stages.filter((s) => !kept.some((k) => k.id === s.id));
    if (!kept.length) return false;
    const target = el("select", { "aria-label": t("crmSettings_moveDealsTo") },
      kept.map((s) => el("option", { value: /** @type {string} */ (s.id) }, s.name || s.shown)));
    const d = /** @type {Mettri.CallError} */ (err).details?.[0];
    const said = MettriI18n.pick(String(d?.pt_BR ?? ""), String(d?.en ?? ""));
    asks.replaceChildren();
    ask(asks, said || t("crmSettings_stageHasDeals"), t("crmSettings_moveAndSave"), t("crmSettings_cancel")).then((yes) => {
      if (yes) save(() => send(Object.fromEntries(removed.map((s) => [s.id, target.value]))), { done: t("crmSettings_dealsMoved"), form: box });
    });
    asks.querySelector(".ask p")?.after(el("div", { class: "row" }, labelled(t("crmSettings_moveDealsTo"), target)));
    return true;
  };

  const add = el("button", { type: "button", dataset: { role: "stage-add" }, onclick: () => {
    stages.push({ id: null, name: "", named: true, outcome: "open", shown: "" });
    box.dataset.dirty = "1";
    draw();
    /** @type {HTMLInputElement | null} */ (list.lastElementChild?.querySelector("input") ?? null)?.focus();
  } }, t("crmSettings_stageAdd"));
  const store = el("button", { type: "button", class: "primary", dataset: { role: "pipeline-save" },
    onclick: () => save(() => send({}), { onRefusal: whereTo, form: box }) }, t("crmSettings_pipelineSave"));
  const remove = el("button", { type: "button", class: "danger", dataset: { role: "pipeline-delete" }, onclick: async () => {
    if (await ask(asks, t("crmSettings_pipelineDeleteAsk", [pipelineName(p)]), t("crmSettings_delete"), t("crmSettings_cancel"))) {
      await save(() => MettriApi.crm.pipeline.delete({ id: p.id, version: p.version }), { done: t("crmSettings_deleted") });
    }
  } }, t("crmSettings_pipelineDelete"));
  box.append(el("div", { class: "row" }, labelled(t("crmSettings_pipelineName"), name)), list,
    el("div", { class: "row" }, add, store, remove), asks);
  return box;
}

/** @param {HTMLElement} host @param {HTMLFormElement} form */
export function pipelinesSection(host, form) {
  const name = el("input", { type: "text", id: "cs-pipeline-new-name", maxlength: 60, autocomplete: "off" });
  form.append(labelled(t("crmSettings_pipelineNew"), name),
    el("button", { type: "submit", class: "primary" }, t("crmSettings_pipelineCreate")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await save(() => MettriApi.crm.pipeline.create({ label: name.value.trim() }), { done: t("crmSettings_created") })) name.value = "";
  });
  /** @param {Mettri.crm.CrmDefs} d */
  return (d) => drawKeyed(host, d.pipelines, pipelineForm);
}
