// @ts-check
// The core itself, for support: whether it is ready (or which start-up stage it is in, or why it
// failed), how its last start went (how long, from the saved memory or from scratch, and whether
// the memory for the next start is saved), how this page reaches it (its own line to the core's
// document, or runtime messages until the line is up) and what a round trip costs now (the median
// of a few pings, once per start and on demand). Followed live (core.boot, and asked every few
// seconds); drawn as text.
import { coreStateLabel } from "../sidepanel/boot-view.js";
import { el, errorText, fact, locale, seconds, t } from "../sidepanel/dom.js";

const PINGS = 20;
const REFRESH_MS = 5_000;

/** @param {HTMLElement} root */
export function mountCoreView(root) {
  const millis = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const facts = el("dl", { id: "diag-core" });
  const again = el("button", { type: "button", id: "diag-core-measure" }, t("diagCoreMeasure"));
  root.replaceChildren(el("h2", {}, t("diagCoreTitle")), facts, again);

  /** @type {Partial<Mettri.Result<"core.boot_state">>} */
  let boot = {};
  /** @type {string} the round trip as drawn: measured once the core is ready, and on demand */
  let roundTrip = t("diagCoreRoundTripWaiting");

  function stateText() {
    const label = coreStateLabel(boot.stage ?? "starting");
    if (boot.stage === "failed") return boot.error ? `${label}: ${boot.error}` : label;
    const stage = MettriProtocol.system.BootStageName.find((name) => name === boot.stage);
    return stage ? `${label} ${t(`coreStage_${stage}`)}` : label;
  }

  function startText() {
    if (boot.stage !== "ready" || boot.readyMs == null) return t("diagCoreStartPending");
    const s = seconds(boot.readyMs);
    return t(boot.runtimeFrom === "snapshot" ? "diagCoreStartSnapshot" : "diagCoreStartFresh", [s]);
  }

  function snapshotText() {
    if (boot.snapshotState) return t(`diagCoreSnapshot_${boot.snapshotState}`);
    // None made in this life: a start from the saved memory uses it; a fresh start saves one soon.
    return t(boot.runtimeFrom === "snapshot" ? "diagCoreSnapshot_used" : "diagCoreSnapshot_soon");
  }

  function draw() {
    facts.replaceChildren(
      ...fact(t("diagCoreState"), stateText(), "diag-core-state"),
      ...fact(t("diagCoreStart"), startText(), "diag-core-start"),
      ...fact(t("diagCoreSnapshot"), snapshotText(), "diag-core-snapshot"),
      ...fact(t("diagCorePath"), t(MettriCore.lineLive() ? "diagCorePath_line" : "diagCorePath_messages"), "diag-core-path"),
      ...fact(t("diagCoreRoundTrip"), roundTrip, "diag-core-round-trip"),
    );
  }

  let measuring = false;
  async function measure() {
    if (measuring) return;
    measuring = true;
    again.disabled = true;
    roundTrip = t("diagCoreMeasuring");
    draw();
    try {
      /** @type {number[]} */
      const times = [];
      for (let i = 0; i < PINGS; i++) {
        const t0 = performance.now();
        const reply = await MettriApi.core.ping.request({});
        if (!reply.ok) {
          roundTrip = errorText(reply.error);
          return;
        }
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const median = (times[(PINGS - 1) >> 1] + times[PINGS >> 1]) / 2;
      roundTrip = t("diagCoreRoundTripValue", [millis.format(median), String(PINGS)]);
    } finally {
      measuring = false;
      again.disabled = false;
      draw();
    }
  }
  again.addEventListener("click", measure);

  /** @type {number | null | undefined} the start whose round trip was measured on its own */
  let measuredStart;
  /** @param {Partial<Mettri.Result<"core.boot_state">>} state */
  function follow(state) {
    boot = state;
    draw();
    if (boot.stage === "ready" && boot.startedAt !== measuredStart) {
      measuredStart = boot.startedAt;
      measure();
    }
  }

  // Asked again every few seconds too: the memory for the next start is saved without an event.
  async function refresh() {
    const reply = await MettriApi.core.boot_state.request({}, { timeoutMs: 10_000 });
    if (reply.ok) follow(reply.result);
  }

  MettriCore.onEvent((env) => {
    if (env.event === "core.boot") follow(env.data);
  });
  draw();
  refresh().catch(() => undefined);
  setInterval(() => refresh().catch(() => undefined), REFRESH_MS);
}
