// Capture loop of the content script: watches the page, reads rendered message
// rows into raw facts (read-dom.js) and delivers them to the core in batches.
// Facts stay in a pending queue until the core acknowledges them, so a core that
// is starting, restarting or refusing a write (full disk) loses nothing. Only
// rows whose facts changed since the last acknowledged batch are sent again.
(() => {
  const DEBOUNCE_MS = 120; // WhatsApp re-renders in bursts: read once it settles
  const MAX_WAIT_MS = 600; // but never later than this during a long burst
  const RETRY_MS = [250, 500, 1000, 2000, 5000];
  const MAX_PENDING = 20_000; // bounded memory if the core is gone for long

  function nodeKey(chat, node) {
    return `${chat.title}\u0000${node.data_id || node.testid || ""}`;
  }

  function createCapture({ request, selectors, readDom = globalThis.MettriReadDom, onStats = () => {} }) {
    const sent = new Map(); // nodeKey -> signature acknowledged by the core
    const pending = new Map(); // nodeKey -> {chat, node, sig, ctx}
    const stats = { batches: 0, nodes: 0, errors: 0, readMs: 0, reads: 0, dropped: 0 };
    let timer = null;
    let firstDirtyAt = 0;
    let flushing = false;
    let retry = 0;
    let observer = null;
    let stopped = false;

    function context() {
      return {
        hidden: document.visibilityState === "hidden",
        observedAt: Date.now() / 1000,
        locale: document.documentElement.lang || navigator.language,
        utcOffsetMin: -new Date().getTimezoneOffset(),
      };
    }

    function read() {
      const t0 = performance.now();
      const ctx = context();
      const batch = readDom.readBatch(document, selectors, ctx);
      let added = 0;
      if (batch.chat.title) {
        for (const node of batch.nodes) {
          if (!node.data_id && !node.testid && !node.pre_plain_text && !node.text) continue; // separators without facts
          const key = nodeKey(batch.chat, node);
          const sig = JSON.stringify(node);
          if (sent.get(key) === sig || pending.get(key)?.sig === sig) continue;
          if (pending.size >= MAX_PENDING && !pending.has(key)) {
            stats.dropped += 1; // reported in stats; the row is read again when it re-renders
            continue;
          }
          pending.set(key, { chat: batch.chat, node, sig, batch });
          added += 1;
        }
      }
      stats.readMs += performance.now() - t0;
      stats.reads += 1;
      if (added) flush();
    }

    function schedule() {
      if (stopped) return;
      const now = performance.now();
      if (!timer) firstDirtyAt = now;
      clearTimeout(timer);
      const wait = Math.max(0, Math.min(DEBOUNCE_MS, MAX_WAIT_MS - (now - firstDirtyAt)));
      timer = setTimeout(() => {
        timer = null;
        read();
      }, wait);
    }

    function nextBatch() {
      // One chat per batch (the chat facts are per batch), at most 500 nodes.
      let chatSig = null;
      const entries = [];
      for (const [key, entry] of pending) {
        const sig = JSON.stringify(entry.chat);
        if (chatSig === null) chatSig = sig;
        if (sig !== chatSig) continue;
        entries.push([key, entry]);
        if (entries.length >= 500) break;
      }
      return entries;
    }

    async function flush() {
      if (flushing || stopped) return;
      flushing = true;
      try {
        while (pending.size) {
          const entries = nextBatch();
          const base = entries[0][1].batch;
          const args = {
            chat: entries[0][1].chat,
            nodes: entries.map(([, e]) => e.node),
            hidden: base.hidden,
            observed_at: base.observed_at,
            locale: base.locale,
            utc_offset_min: base.utc_offset_min,
          };
          const reply = await request("capture.batch", args, { timeoutMs: 60_000 });
          if (reply.ok) {
            for (const [key, entry] of entries) {
              if (pending.get(key) === entry) pending.delete(key);
              sent.set(key, entry.sig);
            }
            stats.batches += 1;
            stats.nodes += entries.length;
            retry = 0;
            onStats(stats, reply.result);
            continue;
          }
          stats.errors += 1;
          if (reply.error && reply.error.code === "invalid_args") {
            // Our own reader produced something the core refuses: drop only the
            // node it names, keep the rest, and say so in the console.
            const loc = (reply.error.details[0] || {}).loc || "";
            const index = Number((loc.match(/^nodes\.(\d+)/) || [])[1]);
            const victim = Number.isInteger(index) ? entries[index] : entries[0];
            console.warn("mettri: the core refused a captured row", reply.error, victim && victim[1].node);
            if (victim) pending.delete(victim[0]);
            continue;
          }
          // not_ready, storage_error...: keep everything and try again later.
          const delay = RETRY_MS[Math.min(retry, RETRY_MS.length - 1)];
          retry += 1;
          await new Promise((r) => setTimeout(r, delay));
        }
      } finally {
        flushing = false;
      }
    }

    let panel = null;
    function panelNow() {
      const features = selectors.features.conversation_panel.candidates;
      for (const c of features) {
        const el = document.querySelector(c.css);
        if (el) return el;
      }
      return null;
    }

    // Only mutations inside the open conversation (or a new conversation) matter:
    // the chat list re-renders constantly and must not cost us a read each time.
    function onMutations(records) {
      const now = panelNow();
      if (now !== panel) {
        panel = now;
        schedule();
        return;
      }
      if (panel && records.some((r) => panel.contains(r.target))) schedule();
    }

    function start() {
      stopped = false;
      observer = new MutationObserver(onMutations);
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ["data-id", "data-testid", "data-icon", "aria-label", "title", "class", "data-pre-plain-text"],
      });
      document.addEventListener("visibilitychange", schedule);
      schedule();
    }

    function stop() {
      stopped = true;
      if (observer) observer.disconnect();
      clearTimeout(timer);
      timer = null;
      document.removeEventListener("visibilitychange", schedule);
    }

    return { start, stop, read, flush, stats, pending };
  }

  globalThis.MettriCapture = Object.freeze({ createCapture });
})();
