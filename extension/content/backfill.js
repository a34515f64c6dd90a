// @ts-check
// History backfill of the open conversation. The core paces it (pycore/capture/backfill.py):
// this script scrolls the message list to the top, waits for WhatsApp to render the older
// messages, reports, and does what the reply says. The capture loop stores what renders;
// nothing here keeps message nodes. A cancel (event or role change) stops it at once.
var MettriBackfill = (() => {
  const GROWTH_TIMEOUT_MS = 3_000; // WhatsApp answers a scroll to the top within this, or has nothing older
  const TOP_IDS = 5;

  /** @typedef {{ jobId: string, cancelled: boolean, wake: (() => void) | null }} Job */

  /**
   * @param {{
   *   api: Mettri.Api,
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   capture: { chatKey: () => string | null } | null,
   *   readDom?: typeof MettriReadDom,
   * }} deps
   */
  function createBackfill({ api, selectors, capture, readDom = MettriReadDom }) {
    /** @type {Job | null} */
    let job = null;
    // For tests and DevTools (isolated world only): runs started and ended, scrolls to the top done.
    // A run that ended scrolls no more, so a test waits for `ended === runs` instead of a fixed time.
    const status = { runs: 0, ended: 0, scrolls: 0 };

    const rows = () => readDom.messageRows(document, selectors);
    const topIds = () =>
      rows()
        .slice(0, TOP_IDS * 3)
        .map((el) => readDom.rowKey(el))
        .filter(/** @returns {id is string} */ (id) => Boolean(id))
        .slice(0, TOP_IDS);

    const { sleep } = MettriWake;

    /**
     * @param {Job} me
     * @param {number} before
     */
    async function waitForGrowth(me, before) {
      const t0 = performance.now();
      while (!me.cancelled && performance.now() - t0 < GROWTH_TIMEOUT_MS) {
        if (rows().length > before) return;
        await sleep(me, 50);
      }
    }

    /** @param {string} jobId */
    async function run(jobId) {
      cancel();
      /** @type {Job} */
      const me = { jobId, cancelled: false, wake: null };
      job = me;
      status.runs += 1;
      try {
        while (!me.cancelled) {
          const scroller = readDom.first(document, selectors, "message_scroller");
          const count = rows().length;
          /** @type {Mettri.Args<"backfill.progress">} */
          const report = { job_id: jobId, chat: capture ? capture.chatKey() : null, rows: count, top_ids: topIds() };
          if (!scroller) report.error = "no_scroller";
          const reply = await api.backfill.progress.request(report, { timeoutMs: 60_000 });
          if (!reply.ok || reply.result.action !== "scroll" || me.cancelled) break;
          if (scroller) {
            scroller.scrollTop = 0; // WhatsApp loads older messages when the top is reached
            status.scrolls += 1;
          }
          await waitForGrowth(me, count);
          if (!me.cancelled) await sleep(me, reply.result.pause_s * 1000);
        }
      } finally {
        if (job === me) job = null;
        status.ended += 1;
      }
    }

    /** @param {string | null} [jobId] */
    function cancel(jobId = null) {
      if (!job || (jobId && job.jobId !== jobId)) return;
      job.cancelled = true;
      if (job.wake) job.wake();
      job = null;
    }

    return { run, cancel, running: () => (job ? job.jobId : null), status };
  }

  return Object.freeze({ createBackfill });
})();
