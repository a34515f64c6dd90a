// @ts-check
// The send loop of the active WhatsApp tab: asks the core's gate for the job to
// perform now (sender.next), performs it (actions.js) and reports the outcome
// (sender.report). The gate owns every decision about timing and limits; this
// loop only waits as long as it is told to.
var MettriSendLoop = (() => {
  const MIN_WAIT_MS = 500;
  const MAX_WAIT_MS = 30_000;
  const DECISIONS_KEPT = 50;
  // New work, a resumed queue or a moved core clock: ask now instead of at the next poll.
  /** @type {ReadonlySet<Mettri.EventName>} */
  const WAKE_ON = new Set([
    "outbox.changed",
    "outbox.due",
    "sending.paused",
    "sending.resumed",
    "campaign.progress",
    "clock.moved",
    "selftest.result",
  ]);

  /**
   * One answer of the gate to an ask: a job (and, once performed, its outcome) or a wait.
   * @typedef {{ ask: number, job: string | null, wait_code: string | null,
   *             outcome?: Mettri.Args<"sender.report">["outcome"], error?: string | null }} Decision
   */

  /**
   * @param {{
   *   api: Mettri.Api,
   *   onEvent: typeof MettriCore.onEvent,
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   actions?: typeof MettriActions,
   * }} deps
   */
  function createSendLoop({ api, onEvent, selectors, actions = MettriActions }) {
    let running = false;
    /** @type {(() => void) | null} */
    let wake = null;
    // A wake-up event that arrived while the loop was not sleeping: the ask in flight may have
    // been answered before what the event announces, so the next sleep is skipped.
    let woken = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /**
     * What the loop is doing, for tests and DevTools (isolated world only). `started` numbers the
     * asks; `decisions` keeps the gate's last answers ({ask, job, wait_code} and a job's outcome),
     * so a test can wait for an answer to an ask made after its own action instead of a fixed time.
     * @type {{ phase: "stopped" | "asking" | "waiting" | "sending", wait_code: string | null | undefined,
     *          retry_in: number | null, retry_at?: number | null, job: string | null, sends: number, asks: number,
     *          started: number, decisions: Decision[] }}
     */
    const status = { phase: "stopped", wait_code: null, retry_in: null, job: null, sends: 0, asks: 0, started: 0, decisions: [] };

    /** @param {Decision} decision */
    function logDecision(decision) {
      status.decisions.push(decision);
      if (status.decisions.length > DECISIONS_KEPT) status.decisions.shift();
    }

    /** @param {number} ms */
    function sleepUntil(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise((/** @type {(value?: unknown) => void} */ resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, ms)));
      }).finally(() => {
        clearTimeout(timer);
        wake = null;
      });
    }

    const unsubscribe = onEvent((envelope) => {
      if (!WAKE_ON.has(envelope.event)) return;
      if (wake) wake();
      else woken = true;
    });

    async function loop() {
      while (running) {
        status.phase = "asking";
        woken = false; // this ask sees everything announced so far
        const ask = (status.started += 1);
        const next = await api.sender.next.request({ visible: document.visibilityState === "visible" });
        status.asks += 1;
        if (!running) break;
        if (!next.ok) {
          Object.assign(status, { phase: "waiting", wait_code: next.error && next.error.code, retry_in: 5 });
          logDecision({ ask, job: null, wait_code: next.error ? next.error.code : null });
          await sleepUntil(5_000);
          continue;
        }
        // retry_in, not retry_at: the core's clock is the one that counts, and it may not be ours.
        const { job, retry_in: retryIn, retry_at: retryAt, wait_code: waitCode } = next.result;
        if (!job) {
          Object.assign(status, { phase: "waiting", wait_code: waitCode, retry_in: retryIn ?? null, retry_at: retryAt ?? null });
          logDecision({ ask, job: null, wait_code: waitCode ?? null });
          await sleepUntil(retryIn != null ? retryIn * 1000 : MAX_WAIT_MS);
          continue;
        }
        Object.assign(status, { phase: "sending", wait_code: null, retry_in: null, job: job.id });
        /** @type {Decision} */
        const decision = { ask, job: job.id, wait_code: null };
        logDecision(decision);
        /** @type {Mettri.Args<"sender.report">} */
        let args;
        try {
          args = await actions.performJob(job, selectors, { title: job.chat_title });
        } catch (err) {
          args = { job_id: job.id, attempt: job.attempt, outcome: "failed_unknown", error: String(err).slice(0, 500) };
        }
        // The report must arrive: retry until the core has it (it may be restarting).
        for (let i = 0; running || i === 0; i++) {
          const reply = await api.sender.report.request(args, { timeoutMs: 60_000 });
          if (reply.ok || (reply.error && reply.error.code !== "not_ready" && reply.error.code !== "storage_error")) break;
          await sleepUntil(1_000 * Math.min(30, 2 ** i));
        }
        if (args.outcome === "sent") status.sends += 1;
        decision.outcome = args.outcome;
        decision.error = args.error ?? null;
      }
      status.phase = "stopped";
    }

    return {
      status,
      start() {
        if (running) return;
        running = true;
        loop();
      },
      stop() {
        running = false;
        if (wake) wake();
        unsubscribe();
      },
    };
  }

  return Object.freeze({ createSendLoop });
})();
