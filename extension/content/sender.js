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
      // New work or a resumed queue: ask now instead of at the next poll.
      if (wake && /^(outbox|sending|campaign)\./.test(envelope.event)) wake();
    });

    async function loop() {
      while (running) {
        const next = await request("sender.next", { visible: document.visibilityState === "visible" });
        if (!running) break;
        if (!next.ok) {
          await sleepUntil(5_000);
          continue;
        }
        const { job, retry_at: retryAt } = next.result;
        if (!job) {
          await sleepUntil(retryAt ? retryAt * 1000 - Date.now() : MAX_WAIT_MS);
          continue;
        }
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
      }
    }

    return {
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
