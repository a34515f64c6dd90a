// @ts-check
// The outbox: every message waiting, being sent or settled, with its state.
import { api, el, fmtTime, onEvent, reason, t } from "../dom.js";

/** @param {HTMLElement} root */
export function mount(root) {
  const list = el("ul", { class: "list outbox", id: "outbox-list" });
  root.append(el("section", { class: "card" }, el("h2", {}, t("outboxTitle")), list));
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  /**
   * Unknown whether it went out (the tab died before it reported): only the user can say.
   * @param {Mettri.sending.OutboxEntry} e
   */
  function verifyAsk(e) {
    /** @param {boolean} sent */
    const answer = (sent) => async () => {
      await api.outbox.resolve({ id: e.id, sent });
      refresh();
    };
    return el("div", { class: "verify-ask" },
      el("span", { class: "preview reason" }, t("verifyExplain")),
      el("button", { type: "button", dataset: { answer: "sent" }, onclick: answer(true) }, t("verifySent")),
      el("button", { type: "button", dataset: { answer: "not_sent" }, onclick: answer(false) }, t("verifyNotSent")),
    );
  }

  async function refresh() {
    const { entries } = await api.outbox.list({ limit: 50 });
    list.replaceChildren(
      ...(entries.length ? [] : [el("li", { class: "meta" }, t("outboxEmpty"))]),
      ...entries.map((e) =>
        el("li", { dataset: { id: e.id, state: e.state } },
          el("span", { class: "title", dir: "auto" }, e.chat.replace(/^title:/, "").replace(/@.*$/, "")),
          el("span", { class: `state state-${e.state}` }, t("state_" + e.state)),
          el("span", { class: "preview", dir: "auto" }, e.text),
          e.decision && e.decision.verdict !== "allow" ? el("span", { class: "preview reason" }, reason(e.decision)) : null,
          el("span", { class: "meta" }, fmtTime(e.sent_at || e.updated_at)),
          e.state === "verify" ? verifyAsk(e) : null,
        ),
      ),
    );
  }

  onEvent((env) => {
    // Bursts of changes (a campaign) refresh once.
    if (env.event === "outbox.changed" && !timer) timer = setTimeout(() => { timer = null; refresh(); }, 300);
  });
  return refresh();
}
