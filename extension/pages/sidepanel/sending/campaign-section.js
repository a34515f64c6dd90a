// @ts-check
// A campaign: pick chats, write a template ({{nome}} / {{name}} filled from the
// chat's title), see the dry run per recipient with its reason, approve, follow
// the progress (with a chart of sends over time), pause or cancel.
import { sendsChart } from "./chart.js";
import { planView, sendable } from "./plan-view.js";
import { api, count, el, onEvent, t } from "../dom.js";

/** @typedef {Mettri.records.ChatRecord} Chat */
/** @typedef {Mettri.Args<"campaign.dry_run">} Spec */

/** @param {Chat} chat */
const title = (chat) => chat.title || chat.key.replace(/^title:/, "");

/**
 * @param {Chat[]} chats
 * @param {Set<string>} picked
 * @returns {Spec["recipients"]}
 */
function recipientsOf(chats, picked) {
  return chats.filter((c) => picked.has(c.key)).map((c) => ({ chat: c.key, vars: { nome: title(c), name: title(c) } }));
}

/** @param {HTMLElement} root */
export function mount(root) {
  const form = el("form", { id: "campaign-form" });
  const result = el("div", { id: "campaign-result" });
  const progress = el("div", { id: "campaign-progress" });
  root.append(el("section", { class: "card" }, el("h2", {}, t("campaignTitle")), form, result, progress));
  /** @type {Chat[]} */
  let chats = [];
  /** @type {string | null} the running campaign's id */
  let current = null;

  /** @param {string} id */
  async function showProgress(id) {
    current = id;
    const { campaign } = await api.campaign.status({ id });
    const { entries } = await api.outbox.list({ campaign_id: id, limit: 500 });
    const times = entries.flatMap((e) => (e.state === "sent" && e.sent_at ? [e.sent_at] : []));
    const counts = Object.entries(campaign.counts).map(([s, n]) => `${t("state_" + s)}: ${count(n)}`).join(" · ");
    const running = campaign.state === "running" || campaign.state === "paused";
    progress.replaceChildren(
      el("p", { id: "campaign-state" }, `${t("campaignState_" + campaign.state)} — ${counts}`),
      sendsChart(times),
      // The controls only while it runs: a null here was drawn as a bare "null" line.
      ...(running ? [el("div", { class: "row" },
        el("button", { type: "button", id: "campaign-pause-toggle", onclick: async () => {
          await (campaign.state === "paused" ? api.campaign.resume({ id }) : api.campaign.pause({ id }));
          showProgress(id);
        } }, campaign.state === "paused" ? t("campaignResume") : t("campaignPause")),
        el("button", { type: "button", id: "campaign-cancel", onclick: async () => {
          if (confirm(t("campaignCancelConfirm"))) { await api.campaign.cancel({ id }); showProgress(id); }
        } }, t("campaignCancel")))] : []),
    );
  }

  /** @param {Spec} spec */
  async function dryRun(spec) {
    const plan = await api.campaign.dry_run(spec);
    const approve = el("button", { type: "button", id: "campaign-approve", class: "primary", onclick: async () => {
      approve.disabled = true;
      const { campaign } = await api.campaign.create(spec);
      await api.campaign.approve({ id: campaign.id });
      result.replaceChildren(el("p", {}, t("campaignApproved")));
      showProgress(campaign.id);
    } }, t("campaignApprove"));
    const names = new Map(chats.map((c) => [c.key, title(c)]));
    // Nothing to approve when every recipient is blocked (a null here was drawn as "null").
    result.replaceChildren(...planView(plan, (chat) => names.get(chat) ?? ""), ...(sendable(plan) ? [approve] : []));
  }

  async function build() {
    chats = (await api.chats.list({ limit: 500 })).chats;
    /** @type {Set<string>} */
    const picked = new Set();
    const name = el("input", { type: "text", id: "campaign-name", placeholder: t("campaignName") });
    const template = el("textarea", { id: "campaign-template", rows: 3, placeholder: t("campaignTemplateHint") });
    const list = el("ul", { class: "pick", id: "campaign-recipients" }, chats.map((c) =>
      el("li", {}, el("label", {},
        el("input", { type: "checkbox", value: c.key, onchange: (/** @type {Event} */ ev) =>
          (/** @type {HTMLInputElement} */ (ev.target).checked ? picked.add(c.key) : picked.delete(c.key)) }),
        " ", el("bdi", {}, title(c))))));
    form.replaceChildren(
      el("label", {}, t("campaignName"), name),
      el("label", {}, t("campaignTemplate"), template),
      el("p", { class: "meta" }, t("campaignTemplateHint")),
      el("p", {}, t("campaignRecipients")), list,
      el("button", { type: "submit", id: "campaign-dry-run" }, t("campaignDryRun")),
    );
    form.onsubmit = (ev) => {
      ev.preventDefault();
      const recipients = recipientsOf(chats, picked);
      if (!recipients.length || !template.value.trim()) return;
      dryRun({ name: name.value, template: template.value, recipients }).catch((/** @type {Error} */ err) =>
        result.replaceChildren(el("p", { class: "error" }, err.message)));
    };
  }

  onEvent((env) => {
    if (env.event === "campaign.progress" && env.data.id === current) showProgress(current);
  });
  return build();
}
