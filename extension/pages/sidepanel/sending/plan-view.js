// @ts-check
// A campaign's dry run as people read it: how many go, wait or are blocked, the risk and how long
// sending takes, then one row per recipient with the gate's verdict and its reason. Drawn by the
// side panel's campaign form and by the contacts page's bulk bar, alike.
import { count, el, fmtDuration, fmtTime, reason, t } from "../dom.js";

/**
 * @param {Mettri.Result<"campaign.dry_run">} plan
 * @param {(chat: string) => string} nameOf a recipient's name as the page shows it
 * @returns {HTMLElement[]}
 */
export function planView(plan, nameOf) {
  const n = plan.counts;
  return [
    el("p", { id: "campaign-summary" }, t("planSummary", [count(n.allow || 0), count(n.warn || 0), count(n.block || 0)])),
    el("p", { id: "campaign-risk" }, t("planRisk", [String(plan.risk_score)]), " · ",
      t("planDuration", [fmtDuration(plan.estimated_seconds), fmtTime(plan.estimated_finish_at)])),
    el("table", { class: "plan", id: "campaign-plan" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, t("planRecipient")), el("th", { scope: "col" }, t("planVerdict")), el("th", { scope: "col" }, t("planReason")))),
      el("tbody", {}, plan.recipients.map((p) =>
        el("tr", { dataset: { chat: p.chat, verdict: p.decision.verdict } },
          el("td", { dir: "auto" }, nameOf(p.chat) || p.chat),
          el("td", { class: `verdict verdict-${p.decision.verdict}` }, t("verdict_" + p.decision.verdict)),
          el("td", {}, p.decision.verdict === "allow" ? "" : reason(p.decision)))))),
  ];
}

/**
 * Whether anything in the plan can be sent: an approval with nothing to send is not offered.
 * @param {Mettri.Result<"campaign.dry_run">} plan
 */
export const sendable = (plan) => (plan.counts.allow || 0) + (plan.counts.warn || 0) > 0;
