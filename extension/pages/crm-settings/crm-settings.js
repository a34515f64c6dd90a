// @ts-check
// The CRM's settings (full tab): how long before a customer counts as waiting for an answer,
// the default pipeline, pipelines and their stages, custom fields and tags. Every write carries
// the version it was based on (crm.*.update/delete): another window's change is never overwritten.
// <main> carries data-ready once drawn, data-drawn (definitions drawn) and data-saves (writes
// settled): tests wait on them.
import { byId, el, t } from "../sidepanel/dom.js";
import { defs, onDefs, pipelineName } from "../crm/defs.js";
import { labelled } from "../crm/widgets.js";
import { save } from "./common.js";
import { pipelinesSection } from "./pipelines.js";
import { fieldsSection } from "./fields.js";
import { tagsSection } from "./tags.js";

MettriI18n.apply();
const main = byId("crm-settings");

/** @param {HTMLFormElement} form */
function generalSection(form) {
  const waiting = el("input", { type: "number", id: "cs-waiting", min: 1, max: 10080, step: 1, required: true });
  const pipeline = el("select", { id: "cs-default-pipeline" });
  /** @type {Mettri.crm.CrmSettings | null} */
  let shown = null;
  form.append(el("div", { class: "row" }, labelled(t("crmSettings_waitingMinutes"), waiting), labelled(t("crmSettings_defaultPipeline"), pipeline),
    el("button", { type: "submit", class: "primary" }, t("crmSettings_save"))),
  el("p", { class: "meta" }, t("crmSettings_waitingHelp")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!shown) return;
    const base = shown;
    save(() => MettriApi.crm.settings.set({ version: base.version, waiting_minutes: Number(waiting.value), default_pipeline: pipeline.value }));
  });
  /** @param {Mettri.crm.CrmDefs} d */
  return (d) => {
    const keep = shown?.version === d.settings.version ? pipeline.value : d.settings.default_pipeline; // the user's pick stays until saved
    if (shown?.version !== d.settings.version) waiting.value = String(d.settings.waiting_minutes);
    shown = d.settings;
    pipeline.replaceChildren(...d.pipelines.map((p) => el("option", { value: p.id }, pipelineName(p))));
    pipeline.value = d.pipelines.some((p) => p.id === keep) ? keep : d.settings.default_pipeline;
  };
}

const draws = [
  generalSection(/** @type {HTMLFormElement} */ (byId("cs-general"))),
  pipelinesSection(byId("cs-pipelines"), /** @type {HTMLFormElement} */ (byId("cs-pipeline-new"))),
  fieldsSection(byId("cs-fields")),
  tagsSection(byId("cs-tags")),
];
let drawn = 0;
/** @param {Mettri.crm.CrmDefs} d */
const draw = (d) => {
  for (const fn of draws) fn(d);
  main.setAttribute("aria-busy", "false");
  main.dataset.ready = "1";
  main.dataset.drawn = String(++drawn);
};
onDefs(draw);
defs().then(draw, (err) => {
  byId("cs-error").textContent = t("crmSettings_loadFailed");
  console.warn("mettri: CRM settings", err);
});
