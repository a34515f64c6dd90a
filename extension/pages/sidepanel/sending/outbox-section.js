// @ts-check
// The outbox: every message waiting, being sent or settled, with its state; the user approves
// a message that waits for approval and cancels one not yet handed to WhatsApp.
import { api, el, errorText, fmtTime, onEvent, reason, t } from "../dom.js";

/** @param {HTMLElement} root */
export function mount(root) {
  const list = el("ul", { class: "list outbox", id: "outbox-list" });
  // A refused approve or cancel is said above the list: the row itself may be redrawn meanwhile.
  const message = el("p", { id: "outbox-message", class: "error", role: "alert" });
  root.append(el("section", { class: "card" }, el("h2", {}, t("outboxTitle")), message, list));
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  /**
   * A button that runs one command on the entry; a refusal (e.g. it was handed out meanwhile)
   * is said in the page's language.
   * @param {Mettri.sending.OutboxEntry} e
   * @param {"approve" | "cancel"} action
   */
  function actionButton(e, action) {
    const run = async (/** @type {Event} */ ev) => {
      /** @type {HTMLButtonElement} */ (ev.currentTarget).disabled = true;
      message.textContent = "";
      try {
        await (action === "approve" ? api.outbox.approve({ id: e.id }) : api.outbox.cancel({ id: e.id }));
      } catch (err) {
        message.textContent = errorText(/** @type {Mettri.CallError} */ (err));
      }
      refresh();
    };
    return el("button", { type: "button", class: `outbox-${action}`, dataset: { action }, onclick: run },
      t(action === "approve" ? "outboxApprove" : "outboxCancel"));
  }

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

  /** @param {Mettri.sending.OutboxEntry} e */
  function actions(e) {
    if (e.state === "queued") return el("div", { class: "actions" }, actionButton(e, "approve"), actionButton(e, "cancel"));
    if (e.state === "approved") return el("div", { class: "actions" }, actionButton(e, "cancel"));
    return e.state === "verify" ? verifyAsk(e) : null;
  }

  async function refresh() {
    const { entries, titles } = await api.outbox.list({ limit: 50 });
    list.replaceChildren(
      ...(entries.length ? [] : [el("li", { class: "meta" }, t("outboxEmpty"))]),
      ...entries.map((e) =>
        el("li", { dataset: { id: e.id, state: e.state } },
          el("span", { class: "title", dir: "auto" }, titles[e.chat] ?? ""),
          el("span", { class: `state state-${e.state}` }, t("state_" + e.state)),
          el("span", { class: "preview", dir: "auto" }, e.text),
          e.decision && e.decision.verdict !== "allow" ? el("span", { class: "preview reason" }, reason(e.decision)) : null,
          // Why the last try did not go out (it is tried again, or it failed for good).
          e.error && (e.state === "approved" || e.state === "failed")
            ? el("span", { class: "preview reason send-error" }, sendErrorText(e.error)) : null,
          el("span", { class: "meta" }, fmtTime(e.sent_at || e.updated_at)),
          actions(e),
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

/**
 * What went wrong in the WhatsApp tab, in the page's language (codes from content/actions.js).
 * @param {string} code
 */
function sendErrorText(code) {
  const text = t("sendError_" + code);
  return text === "sendError_" + code ? t("sendError_other") : text;
}
