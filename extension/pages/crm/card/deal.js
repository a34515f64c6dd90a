// @ts-check
// The deal: pipeline (when there are several), stage, value in R$ and expected date. Choosing a
// stage opens the deal; "no deal" removes it (the timeline keeps where it was).
import { el, t } from "../../sidepanel/dom.js";
import { pipelineOf, pipelineName, stageName } from "../defs.js";
import { day, moneyInput, when } from "../format.js";
import { labelled } from "../widgets.js";
import { dealIn } from "./context.js";

/** @typedef {import("./context.js").CardContext} CardContext */

/** The pipeline the card shows: the one picked on this page, else the first with a deal, else the default. */
/** @type {Map<string, string>} record key -> pipeline id picked */
const picked = new Map();

/** @param {CardContext} ctx */
function currentPipeline(ctx) {
  const { row } = ctx.card;
  const id = picked.get(row.key) ?? row.deals[0]?.pipeline ?? ctx.defs.settings.default_pipeline;
  return pipelineOf(ctx.defs, id);
}

/** @param {CardContext} ctx */
export function render(ctx) {
  const { row } = ctx.card;
  const section = el("section", { class: "card-section deal", "aria-labelledby": "crm-deal-h" });
  const pipeline = currentPipeline(ctx);
  section.append(el("h3", { id: "crm-deal-h" }, t("card_deal")));
  if (!pipeline) return section;
  const deal = dealIn(row, pipeline.id);

  if (ctx.defs.pipelines.length > 1) {
    const select = el("select", { id: "crm-pipeline", dataset: { fk: "pipeline" } },
      ctx.defs.pipelines.map((p) => el("option", { value: p.id, selected: p.id === pipeline.id },
        pipelineName(p) + (dealIn(row, p.id) ? " •" : ""))));
    select.addEventListener("change", () => {
      picked.set(row.key, select.value);
      ctx.reload();
    });
    section.append(labelled(t("card_pipeline"), select));
  }

  const stage = el("select", { id: "crm-stage", "aria-keyshortcuts": "e", dataset: { fk: "stage" } },
    el("option", { value: "" }, t("card_noDeal")),
    pipeline.stages.map((s) => el("option", { value: s.id, selected: deal?.stage === s.id }, stageName(s))));
  const stageField = labelled(t("card_stage"), stage);
  stage.addEventListener("change", async () => {
    if (!stage.isConnected) return;
    stageField.setError("");
    try {
      if (stage.value) await ctx.setDeal({ pipeline: pipeline.id, stage: stage.value });
      else await ctx.removeDeal(pipeline.id);
    } catch (err) {
      stageField.setError(ctx.fail(err));
    }
  });

  const value = el("input", {
    type: "text", id: "crm-value", inputmode: "decimal", autocomplete: "off", maxlength: 24,
    value: moneyInput(deal?.value_cents), placeholder: moneyInput(0), "aria-keyshortcuts": "v", dataset: { fk: "value" },
  });
  value.defaultValue = value.value;
  const valueField = labelled(t("card_valueBrl"), value);
  let sent = value.value;
  const saveValue = async () => {
    // Enter, then the change on blur: once; a box replaced by a redraw (its typing moved to the new one) never.
    if (value.value === sent || !value.isConnected) return;
    sent = value.value;
    value.defaultValue = value.value; // submitted, not typing
    valueField.setError("");
    try {
      await ctx.setDeal({ pipeline: pipeline.id, value: value.value.trim() });
    } catch (err) {
      valueField.setError(ctx.fail(err));
    }
  };
  value.addEventListener("change", saveValue);
  value.addEventListener("keydown", (e) => e.key === "Enter" && saveValue());

  const expected = el("input", { type: "date", id: "crm-expected", value: deal?.expected_date ?? "", dataset: { fk: "expected" } });
  const expectedField = labelled(t("card_expectedDate"), expected);
  expected.addEventListener("change", async () => {
    if (!expected.isConnected) return;
    expectedField.setError("");
    try {
      await ctx.setDeal({ pipeline: pipeline.id, expected_date: expected.value });
    } catch (err) {
      expectedField.setError(ctx.fail(err));
    }
  });

  section.append(el("div", { class: "grid2" }, stageField, valueField, expectedField));
  if (deal) {
    const since = el("p", { class: "meta", id: "crm-stage-since" }, t("card_stageSince", [when(deal.stage_since)]));
    if (deal.expected_date) since.append(" · ", t("card_expectedOn", [day(deal.expected_date)]));
    section.append(since);
  }
  return section;
}

export const section = { id: "deal", order: 20, render };
