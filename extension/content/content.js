// @ts-check
// Content script entry: the thin bridge between WhatsApp Web's DOM and the core.
// It reads attributes and text (read-dom.js), reports them, and does what the
// core asks in the page. It parses nothing and decides nothing: the selectors
// come from pycore (shared/selectors.js) and every decision is the core's.
var MettriContent = (() => {
  const api = MettriApi;
  const { onEvent } = MettriCore;
  const readDom = MettriReadDom;
  const HEARTBEAT_MS = 30_000; // the core hands the active role over after 90 s of silence
  const CONNECTION_POLL_MS = 1_000;
  const PROBE_EVERY_MS = 10_000;
  const PROBE_IDLE_WAIT_MS = 3_000; // a probe due waits for the page to be idle at most this long
  // This script's own time on WhatsApp's main thread for its connection checks and the suggestion
  // bar's (capture keeps its own).
  const watchStats = { connectionMs: 0, probeMs: 0, suggestionsMs: 0 };
  // This page (a reload keeps the tab, not the page): the worker says bye for it when its port drops.
  const doc = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

  /** @typedef {Mettri.Result<"tabs.hello">["role"]} Role */
  /**
   * @type {{
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   role: Role | null,
   *   tabId: string | null,
   *   connection: Mettri.Result<"connection.report"> | null,
   *   lastConnectionFacts: string,
   *   lastProbe: string,
   *   probeQueued: boolean,
   *   probedPanel: Element | null,
   *   capture: ReturnType<typeof MettriCapture.createCapture> | null,
   *   backfill: ReturnType<typeof MettriBackfill.createBackfill> | null,
   *   scraper: ReturnType<typeof MettriScraper.createScraper> | null,
   *   sender: ReturnType<typeof MettriSendLoop.createSendLoop> | null,
   *   suggestions: ReturnType<typeof MettriSuggestions.createSuggestions> | null,
   *   activeSince: number | null,
   *   picker: ReturnType<typeof MettriPicker.createPicker> | null,
   *   watchStats: typeof watchStats,
   * }}
   */
  const state = {
    selectors: MettriSelectors,
    role: null,
    tabId: null,
    connection: null,
    lastConnectionFacts: "",
    lastProbe: "",
    probeQueued: false, // a self-test probe waits for the page to be idle
    probedPanel: null, // the conversation panel the last probe saw (null: none open, or no probe yet)
    capture: null,
    backfill: null,
    scraper: null,
    sender: null, // sending: the send loop (send-loop.js)
    suggestions: null, // sending: the approve-suggestion bar (suggestions.js)
    activeSince: null, // performance.now() when this page last became the active tab
    picker: null, // the composer's "/" templates picker (picker.js)
    watchStats,
  };

  // -- sending: the send loop runs only in the active tab ----------------------------
  function startSender() {
    if (state.sender || !globalThis.MettriSendLoop) return;
    state.sender = MettriSendLoop.createSendLoop({ api, onEvent, selectors: state.selectors });
    state.sender.start();
    state.suggestions = MettriSuggestions.createSuggestions({
      api, onEvent, selectors: state.selectors, currentKey: () => (state.capture ? state.capture.chatKey() : null),
      onTime: (ms) => { watchStats.suggestionsMs += ms; },
    });
    state.suggestions.start();
    state.picker = MettriPicker.createPicker({ api, selectors: state.selectors, chatKey: () => state.capture?.chatKey() ?? null });
    state.picker.start();
  }

  function stopSender() {
    if (!state.sender) return;
    state.sender.stop();
    state.suggestions?.stop();
    state.picker?.stop();
    state.sender = null;
    state.suggestions = null;
    state.picker = null;
  }
  // -- end sending ------------------------------------------------------------------

  function startCapture() {
    if (state.capture) return;
    state.capture = MettriCapture.createCapture({ api, selectors: state.selectors });
    state.capture.start();
    state.backfill = MettriBackfill.createBackfill({ api, selectors: state.selectors, capture: state.capture });
    state.scraper = MettriScraper.createScraper({ api, selectors: state.selectors });
  }

  function stopCapture() {
    if (!state.capture) return;
    state.capture.stop();
    state.backfill?.cancel();
    state.scraper?.cancel();
    state.capture = state.backfill = state.scraper = null;
  }

  // The core's table wins over the shipped one: support can override it (selectors.override).
  async function loadSelectors() {
    const reply = await api.selectors.get.request({}, { timeoutMs: 120_000 });
    if (reply.ok) state.selectors = reply.result;
  }

  async function hello() {
    const reply = await api.tabs.hello.request({ tab_id: null, doc }, { timeoutMs: 120_000 });
    if (reply.ok) {
      state.tabId = reply.result.tab_id;
      applyRole(reply.result.role);
    } else setTimeout(hello, 2_000);
  }

  /** @param {Role} role */
  function applyRole(role) {
    if (role === "active" && state.role !== "active") state.activeSince = performance.now();
    state.role = role;
    // Idle tabs neither capture nor send: one WhatsApp tab at a time acts.
    if (role === "active") {
      startCapture();
      startSender();
    } else {
      stopCapture();
      stopSender();
    }
  }

  /** The element holding the open conversation's message rows, as capture's last read found it. */
  function rowsHolder() {
    return state.capture ? state.capture.rowsHolder() : null;
  }

  /** The connection facts, timed: a share of this script's time on WhatsApp's main thread. */
  function readFacts() {
    const t0 = performance.now();
    // the message rows are never where these facts are drawn: with thousands of them, leaving them
    // out is most of the work
    const facts = readDom.readConnection(document, state.selectors, rowsHolder());
    watchStats.connectionMs += performance.now() - t0;
    return facts;
  }

  /** @param {boolean} [force] @param {ReturnType<typeof readFacts>} [facts] read just now by the caller */
  async function reportConnection(force = false, facts = readFacts()) {
    const key = JSON.stringify(facts);
    const same = !force && key === state.lastConnectionFacts;
    state.lastConnectionFacts = key;
    if (facts.logged_in) selfTest(); // a chat opened or closed changes what can be checked
    if (same) return;
    const reply = await api.connection.report.request({ ...facts, tab_id: null, doc, observed_at: Date.now() / 1000 });
    if (!reply.ok) return;
    state.connection = reply.result;
    // The core's election is the truth: a report that finds this page's role out of date asks again
    // (a tab promoted while its announcement was lost, or demoted while it kept acting).
    const idle = reply.result.code === "idle_tab"; // the core answers an idle tab's report with this code
    if (state.role !== null && idle !== (state.role === "idle")) hello();
  }

  // The self-test matches every feature against the whole page: run it when what it sees can have
  // changed (another conversation panel, new connection facts) and every PROBE_EVERY_MS besides, not
  // on each one-second poll. A probe due waits for the page to be idle (at most PROBE_IDLE_WAIT_MS):
  // it is due most often just after a chat opens, while WhatsApp draws it and messages come in, and
  // there the same probe took 2-22 ms where it takes 0.5-1.8 ms once the page is still.
  let probedAt = -Infinity;
  let probedFacts = "";
  /** The open conversation's panel. While capture runs, the one it keeps is checked (still in the
   *  page, still matching) instead of querying the page for it each second. */
  function conversationPanel() {
    return state.capture ? state.capture.panel() : readDom.first(document, state.selectors, "conversation_panel");
  }

  function selfTest() {
    const t0 = performance.now();
    const panel = conversationPanel();
    const due = panel !== state.probedPanel || state.lastConnectionFacts !== probedFacts || t0 - probedAt >= PROBE_EVERY_MS;
    watchStats.probeMs += performance.now() - t0;
    if (!due || state.probeQueued) return;
    state.probeQueued = true;
    requestIdleCallback(() => {
      state.probeQueued = false;
      probeNow();
    }, { timeout: PROBE_IDLE_WAIT_MS });
  }

  async function probeNow() {
    const t0 = performance.now();
    state.probedPanel = conversationPanel(); // as it is now, after the wait
    probedFacts = state.lastConnectionFacts;
    probedAt = t0;
    const results = readDom.probe(document, state.selectors, rowsHolder());
    watchStats.probeMs += performance.now() - t0;
    const chatOpen = !!(results.conversation_panel && results.conversation_panel.count);
    // In 2026 builds the send button exists only after text is typed: not a failure.
    if (results.send_button && !results.send_button.count && results.composer && results.composer.count) {
      results.send_button.deferred = true;
    }
    // Report again only when what matched changes (not when a new message bumps a count).
    const key = JSON.stringify(Object.entries(results).map(([k, r]) => [k, r.matched, Math.min(r.count, 2), !!r.deferred]));
    if (key === state.lastProbe) return;
    state.lastProbe = key;
    await api.selftest.report.request({ results, chat_open: chatOpen, tab_id: null });
  }

  onEvent((envelope) => {
    if (envelope.event === "tabs.role" && envelope.data.tab_id === state.tabId) applyRole(envelope.data.role);
    if (state.role !== "active" || !state.capture) return; // only the active tab acts
    if (envelope.event === "core.boot" && envelope.data.stage === "ready") state.capture.resync();
    if (envelope.event === "backfill.requested") state.backfill?.run(envelope.data.job_id);
    else if (envelope.event === "backfill.progress" && envelope.data.state !== "running") state.backfill?.cancel(envelope.data.job_id);
    else if (envelope.event === "contacts.scan_requested") state.scraper?.run(envelope.data.scan_id, envelope.data.pace);
  });

  window.addEventListener("pagehide", () => {
    api.tabs.bye.request({ tab_id: null, doc }, { timeoutMs: 2_000 });
  });

  // The core's document learns this page is gone when this port drops (closed, reloaded, crashed):
  // offscreen/tab-ports.js.
  function holdPort() {
    /** @type {chrome.runtime.Port} */
    let port;
    try {
      port = chrome.runtime.connect({ name: `mettri-tab:${doc}` });
    } catch (err) {
      return; // the extension was reloaded: this page's script is orphaned
    }
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // no document yet, or it closed: expected
      setTimeout(holdPort, 500); // the worker makes the document again; connect to the new one
    });
  }
  holdPort();

  // WhatsApp's warnings can be drawn anywhere, any moment: look again shortly after the page
  // changes (at most every 150 ms), not only on the 1 s poll, so sending pauses within a second.
  // Changes inside the message list, the chat list, the header or a text box are not looked at
  // (warnings are never read there: shell_skip); a popup or alert drawn inside them is still
  // seen by the one-second poll. Their redraws on every message were most of this work.
  /** @type {ReturnType<typeof setTimeout> | null} */
  let factsTimer = null;
  // Whether a changed node lies in a part never read for warnings. The same nodes change on every
  // message (a list's container, a row's preview): asked once per node, not once per change. Made
  // anew on each one-second poll, so a node moved elsewhere is asked again within a second.
  /** @type {WeakMap<Node, boolean>} */
  let skipped = new WeakMap();
  /** @param {MutationRecord[]} records */
  function factsMayHaveChanged(records) {
    if (factsTimer) return;
    const t0 = performance.now();
    const skip = readDom.anyOf(state.selectors, "shell_skip");
    const elsewhere = !skip || records.some((r) => {
      let inSkip = skipped.get(r.target);
      if (inSkip === undefined) {
        const el = r.target.nodeType === 1 ? /** @type {Element} */ (r.target) : r.target.parentElement;
        inSkip = !!el && !!el.closest(skip);
        skipped.set(r.target, inSkip);
      }
      return !inSkip;
    });
    watchStats.connectionMs += performance.now() - t0;
    if (!elsewhere) return;
    factsTimer = setTimeout(() => {
      factsTimer = null;
      const facts = readFacts();
      if (JSON.stringify(facts) !== state.lastConnectionFacts) reportConnection(false, facts);
    }, 150);
  }
  new MutationObserver(factsMayHaveChanged).observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  // Every second: connection facts, and the self-test (safe mode lifts as soon as a chat opens).
  setInterval(() => {
    skipped = new WeakMap();
    reportConnection(false);
  }, CONNECTION_POLL_MS);
  setInterval(() => reportConnection(true), HEARTBEAT_MS);
  // The CRM badge under the open chat's header (crm-badge.js); off in read-only safe mode.
  const badge = MettriCrmBadge.createBadge({ api, onEvent, selectors: () => state.selectors });
  Object.assign(state, { badge });
  loadSelectors()
    .then(hello)
    .then(() => {
      badge.start();
      return reportConnection(true);
    });
  return state; // for diagnostics in DevTools (isolated world only)
})();
