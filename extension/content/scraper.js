// @ts-check
// Lists every chat by scrolling WhatsApp's virtualized chat list at the pace the core
// plans (contacts.scroll_plan), reading the rows that render (MettriReadDom.readChatRow)
// and sending them in batches (contacts.upsert_rows). Contact details are never opened.
var MettriScraper = (() => {
  const SEND_AT = 50; // rows per contacts.upsert_rows
  const RENDER_MS = 30; // the list re-renders its rows on scroll; give it a moment
  const STEPS_PER_PLAN = 10;

  /** @typedef {{ scanId: string, cancelled: boolean, wake: (() => void) | null }} Scan */

  /**
   * @param {{ api: Mettri.Api, selectors: Mettri.whatsapp.SelectorTable, readDom?: typeof MettriReadDom }} deps
   */
  function createScraper({ api, selectors, readDom = MettriReadDom }) {
    /** @type {Scan | null} */
    let scan = null;

    const { sleep } = MettriWake;

    /**
     * @param {string} scanId
     * @param {number} [pace]
     */
    async function run(scanId, pace = 1) {
      cancel();
      /** @type {Scan} */
      const me = { scanId, cancelled: false, wake: null };
      scan = me;
      const seen = new Set(); // titles already read in this scan
      /** @type {Mettri.contacts.RawChatRow[]} */
      let buffer = [];

      function readVisible() {
        const rowSpec = selectors.features.chat_row.candidates;
        for (const c of rowSpec) {
          const els = document.querySelectorAll(c.css);
          if (!els.length) continue;
          for (const el of els) {
            const row = readDom.readChatRow(el, selectors);
            if (row && !seen.has(row.title)) {
              seen.add(row.title);
              buffer.push(row);
            }
          }
          return;
        }
      }

      async function send() {
        while (buffer.length) {
          const rows = buffer.slice(0, SEND_AT);
          const reply = await api.contacts.upsert_rows.request({ rows }, { timeoutMs: 60_000 });
          if (!reply.ok) {
            if (reply.error && reply.error.code === "invalid_args") buffer = buffer.slice(rows.length);
            else await sleep(me, 1_000);
            if (me.cancelled) return;
            continue;
          }
          buffer = buffer.slice(rows.length);
        }
      }

      try {
        const scroller = readDom.first(document, selectors, "chat_list_scroller");
        if (!scroller) return;
        scroller.scrollTop = 0;
        await sleep(me, RENDER_MS);
        readVisible();
        let atEnd = false;
        while (!me.cancelled && !atEnd) {
          const plan = await api.contacts.scroll_plan.request(
            { viewport_px: Math.max(50, scroller.clientHeight), steps: STEPS_PER_PLAN, rows_so_far: seen.size, pace },
          );
          if (!plan.ok) break;
          for (const step of plan.result.steps) {
            const before = scroller.scrollTop;
            scroller.scrollTop = before + step.scroll_px;
            await sleep(me, RENDER_MS);
            readVisible();
            if (buffer.length >= SEND_AT) await send();
            if (me.cancelled || scroller.scrollTop === before) {
              atEnd = scroller.scrollTop === before;
              break;
            }
            await sleep(me, step.pause_s * 1000);
          }
          api.contacts.scan_progress.request({ scan_id: scanId, rows: seen.size, done: false });
        }
        await send();
      } finally {
        if (!me.cancelled) api.contacts.scan_progress.request({ scan_id: scanId, rows: seen.size, done: true });
        if (scan === me) scan = null;
      }
    }

    function cancel() {
      if (!scan) return;
      scan.cancelled = true;
      if (scan.wake) scan.wake();
      scan = null;
    }

    return { run, cancel, running: () => (scan ? scan.scanId : null) };
  }

  return Object.freeze({ createScraper });
})();
