// @ts-check
// Bulk actions on the selected records: tag, untag, move to a stage (crm.bulk), and a campaign
// to the selection through the same dry run, draft and explicit approval as the side panel's
// (campaign.dry_run -> campaign.create -> campaign.approve: every message still goes through
// the send gate and its limits).
import { el, errorText, t } from "../sidepanel/dom.js";
import { planView, sendable } from "../sidepanel/sending/plan-view.js";
import { pipelineOf, pipelineName, stageName } from "../crm/defs.js";
import { count } from "../crm/format.js";

/** @typedef {Map<string, string>} Selection record key -> name (kept across pages) */

/**
 * @param {HTMLElement} root
 * @param {{ selection: Selection, defs: () => Mettri.crm.CrmDefs | null, pipeline: () => string | null | undefined,
 *   done: (text: string) => void, clear: () => void, merge: () => void }} o
 */
export function mountBulk(root, o) {
  const tag = el("select", { id: "bulk-tag", "aria-label": t("contacts_bulkTagPick") });
  const stage = el("select", { id: "bulk-stage", "aria-label": t("contacts_bulkStagePick") });
  const status = el("p", { id: "bulk-status", role: "status" });
  const error = el("p", { id: "bulk-error", class: "error", role: "alert" });
  const campaign = el("div", { id: "bulk-campaign" });
  const countLine = el("strong", { id: "bulk-count" });
  // two people picked may be one person (a LID and a number): merging needs exactly two
  const merge = el("button", { type: "button", id: "bulk-merge", onclick: () => o.merge() }, t("contacts_mergeButton"));
  root.setAttribute("aria-label", t("contacts_bulkTitle"));
  root.replaceChildren(
    el("div", { class: "row" }, countLine,
      el("button", { type: "button", class: "link", id: "bulk-clear", onclick: () => o.clear() }, t("contacts_bulkClear"))),
    el("div", { class: "row" },
      tag,
      el("button", { type: "button", id: "bulk-tag-add", onclick: () => run("tag") }, t("contacts_bulkTag")),
      el("button", { type: "button", id: "bulk-tag-remove", onclick: () => run("untag") }, t("contacts_bulkUntag")),
      stage,
      el("button", { type: "button", id: "bulk-move", onclick: () => run("move_stage") }, t("contacts_bulkMove")),
      el("button", { type: "button", id: "bulk-campaign-open", onclick: openCampaign }, t("contacts_bulkCampaign")),
      merge),
    status, error, campaign);

  /** @param {Mettri.crm.BulkAction} action */
  async function run(action) {
    const d = o.defs();
    if (!d) return;
    error.textContent = "";
    const chats = [...o.selection.keys()];
    /** @type {Mettri.crm.Bulk} */
    const args = { chats, action };
    if (action === "move_stage") {
      if (!stage.value) return void (error.textContent = t("contacts_bulkNoStage"));
      args.pipeline = pipelineOf(d, o.pipeline())?.id ?? null;
      args.stage = stage.value;
    } else {
      if (!tag.value) return void (error.textContent = t("contacts_bulkNoTag"));
      args.tags = [tag.value];
    }
    try {
      const r = await MettriApi.crm.bulk(args);
      o.done(t("contacts_bulkDone", [count(r.changed), count(r.unchanged)]));
    } catch (err) {
      error.textContent = errorText(/** @type {Mettri.CallError} */ (err));
    }
  }

  function openCampaign() {
    const template = el("textarea", { id: "campaign-template", rows: 3 });
    const name = el("input", { type: "text", id: "campaign-name" });
    const result = el("div", { id: "campaign-result", "aria-live": "polite" });
    campaign.replaceChildren(el("form", { class: "campaign", onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      if (!template.value.trim()) return void (result.replaceChildren(el("p", { class: "error", role: "alert" }, t("contacts_campaignEmpty"))));
      dryRun({ name: name.value, template: template.value, recipients: recipients() }, result).catch((err) =>
        result.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(err))));
    } },
      el("label", {}, t("campaignName"), name),
      el("label", {}, t("campaignTemplate"), template),
      el("p", { class: "meta" }, t("campaignTemplateHint")),
      el("button", { type: "submit", id: "campaign-dry-run" }, t("campaignDryRun"))),
    result);
    template.focus();
  }

  /** @returns {Mettri.Args<"campaign.dry_run">["recipients"]} */
  function recipients() {
    return [...o.selection].map(([chat, n]) => ({ chat, vars: { nome: n, name: n, primeiro_nome: n.split(/\s+/)[0] || n } }));
  }

  /** @param {Mettri.Args<"campaign.dry_run">} spec @param {HTMLElement} result */
  async function dryRun(spec, result) {
    const plan = await MettriApi.campaign.dry_run(spec);
    const approve = el("button", { type: "button", id: "campaign-approve", class: "primary", onclick: async () => {
      approve.disabled = true;
      try {
        const { campaign: c } = await MettriApi.campaign.create(spec);
        await MettriApi.campaign.approve({ id: c.id });
        result.replaceChildren(el("p", { id: "campaign-approved" }, t("campaignApproved")));
      } catch (err) {
        approve.disabled = false;
        result.append(el("p", { class: "error", role: "alert" }, errorText(/** @type {Mettri.CallError} */ (err))));
      }
    } }, t("campaignApprove"));
    const names = new Map(o.selection);
    result.replaceChildren(...planView(plan, (chat) => names.get(chat) ?? ""), ...(sendable(plan) ? [approve] : []));
  }

  /** Redraw for the current selection and definitions. */
  function update() {
    const d = o.defs();
    root.hidden = o.selection.size === 0;
    merge.hidden = o.selection.size !== 2;
    countLine.textContent = t("contacts_bulkCount", [count(o.selection.size)]);
    if (!d) return;
    const keepTag = tag.value, keepStage = stage.value;
    tag.replaceChildren(el("option", { value: "" }, t("contacts_bulkTagPick")), ...d.tags.map((x) => el("option", { value: x.id }, x.name)));
    const p = pipelineOf(d, o.pipeline());
    stage.replaceChildren(el("option", { value: "" }, t("contacts_bulkStagePick")),
      ...(p?.stages ?? []).map((s) => el("option", { value: s.id }, `${stageName(s)}${d.pipelines.length > 1 ? ` (${pipelineName(p)})` : ""}`)));
    tag.value = keepTag;
    stage.value = keepStage;
    if (root.hidden) campaign.replaceChildren();
  }
  return { update, setStatus: (/** @type {string} */ s) => (status.textContent = s) };
}
