// The send loop of the active WhatsApp tab: asks the core's gate for the job to
// perform now (sender.next), performs it (actions.js) and reports the outcome
// (sender.report). The gate owns every decision about timing and limits; this
// loop only waits as long as it is told to.
(() => {
  const MIN_WAIT_MS = 500;
  const MAX_WAIT_MS = 30_000;

  function createSenderLoop({ request, onEvent, selectors, actions = globalThis.MettriActions }) {
    let running = false;
    let wake = null;
    let timer = null;
    // What the loop is doing, for tests and DevTools: {phase, wait_code, retry_in, job, sends}.
    const status = { phase: "stopped", wait_code: null, retry_in: null, job: null, sends: 0, asks: 0 };

    function sleepUntil(ms) {
      return new Promise((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, ms)));
      }).finally(() => {
        clearTimeout(timer);
        wake = null;
      });
    }

    const unsubscribe = onEvent((envelope) => {
      // New work, a resumed queue or a moved core clock: ask now instead of at the next poll.
      if (wake && /^(outbox|sending|campaign)\.|^(clock\.moved|selftest\.result)$/.test(envelope.event)) wake();
    });

    async function loop() {
      while (running) {
        status.phase = "asking";
        const next = await request("sender.next", { visible: document.visibilityState === "visible" });
        status.asks += 1;
        if (!running) break;
        if (!next.ok) {
          Object.assign(status, { phase: "waiting", wait_code: next.error && next.error.code, retry_in: 5 });
          await sleepUntil(5_000);
          continue;
        }
        // retry_in, not retry_at: the core's clock is the one that counts, and it may not be ours.
        const { job, retry_in: retryIn, retry_at: retryAt, wait_code: waitCode } = next.result;
        if (!job) {
          Object.assign(status, { phase: "waiting", wait_code: waitCode, retry_in: retryIn ?? null, retry_at: retryAt ?? null });
          await sleepUntil(retryIn != null ? retryIn * 1000 : MAX_WAIT_MS);
          continue;
        }
        Object.assign(status, { phase: "sending", wait_code: null, retry_in: null, job: job.id });
        let args;
        try {
          args = await actions.performJob(job, selectors, { title: job.chat_title });
        } catch (err) {
          args = { job_id: job.id, attempt: job.attempt, outcome: "failed_unknown", error: String(err).slice(0, 500) };
        }
        // The report must arrive: retry until the core has it (it may be restarting).
        for (let i = 0; running || i === 0; i++) {
          const reply = await request("sender.report", args, { timeoutMs: 60_000 });
          if (reply.ok || (reply.error && reply.error.code !== "not_ready" && reply.error.code !== "storage_error")) break;
          await sleepUntil(1_000 * Math.min(30, 2 ** i));
        }
        if (args.outcome === "sent") status.sends += 1;
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

  globalThis.MettriSender = Object.freeze({ createSenderLoop });
})();
