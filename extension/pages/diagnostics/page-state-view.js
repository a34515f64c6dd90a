// @ts-check
// What the core knows of WhatsApp Web right now: the connection (state, whether a tab is the
// active one, when it last reported) and the last self-test (can Mettri read and send on this
// WhatsApp build, or is it in read-only safe mode, and why). Followed live; drawn as text.
import { count, el, fact, fmtSecond } from "../sidepanel/dom.js";

const api = MettriApi;
const REFRESH_MS = 5_000;
const { t, tn, pick } = MettriI18n;

/** @param {HTMLElement} root */
export async function mountPageState(root) {
  /** @param {number} s epoch seconds */
  const when = (s) => el("time", { datetime: new Date(s * 1000).toISOString() }, fmtSecond(s));
  const connection = el("dl", { id: "diag-connection" });
  const selftest = el("div", { id: "diag-selftest" });
  root.replaceChildren(
    el("h2", {}, t("diagConnectionTitle")), connection,
    el("h2", {}, t("diagSelftestTitle")), selftest,
  );

  async function showConnection() {
    const now = await api.connection.state({});
    const open = now.tabs.tabs.length;
    connection.replaceChildren(
      ...fact(t("diagConnectionState"), pick(now.status.pt_BR, now.status.en), "diag-connection-state"),
      ...fact(t("diagActiveTab"), now.tabs.active ? tn("diagActiveTabYes", open, [count(open)]) : t("diagActiveTabNo", [count(open)]),
        "diag-active-tab"),
      ...fact(t("diagLastReport"), now.reported_at ? when(now.reported_at) : t("diagNever"), "diag-last-report"),
    );
  }

  let drawnAt = -Infinity;
  /** @param {Mettri.whatsapp.SelfTestOutcome | null | undefined} outcome */
  function drawSelftest(outcome) {
    if (!outcome) {
      if (drawnAt > -Infinity) return; // a result's event came before the first answer
      selftest.replaceChildren(el("p", { id: "diag-selftest-summary", class: "empty" }, t("diagSelftestNone")));
      return;
    }
    // The first answer can arrive after a newer result's event: never draw an older test over it.
    if (outcome.at < drawnAt) return;
    drawnAt = outcome.at;
    const states = Object.values(outcome.features);
    const ok = states.filter((s) => s === "ok" || s === "deferred").length;
    selftest.replaceChildren(
      el("p", { id: "diag-selftest-summary", class: outcome.safe_mode ? "error" : "" }, pick(outcome.summary_pt, outcome.summary_en)),
      el("dl", {},
        ...fact(t("diagSelftestMode"), t(outcome.safe_mode ? "diagSafeMode" : "diagSendingOn"), "diag-selftest-mode"),
        ...fact(t("diagSelftestChecks"), t("diagSelftestChecksOk", [String(ok), String(states.length)]), "diag-selftest-checks"),
        ...fact(t("diagSelftestAt"), when(outcome.at), "diag-selftest-at"),
      ),
      ...(outcome.reasons.length
        ? [el("ul", { id: "diag-selftest-reasons" }, ...outcome.reasons.map((r) => el("li", {}, pick(r.pt_BR, r.en))))]
        : []),
    );
  }

  MettriCore.onEvent((env) => {
    if (env.event === "connection.changed" || env.event === "tabs.role") showConnection();
    else if (env.event === "selftest.result") drawSelftest(env.data);
  });
  // The tab reports without an event when nothing changed: keep "last report" current.
  setInterval(() => showConnection().catch(() => undefined), REFRESH_MS);
  const [{ outcome }] = await Promise.all([api.selftest.last({}), showConnection()]);
  drawSelftest(outcome);
}
