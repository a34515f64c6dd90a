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

  /** @typedef {Mettri.Result<"tabs.hello">["role"]} Role */
  /**
   * @type {{
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   role: Role | null,
   *   tabId: string | null,
   *   connection: Mettri.Result<"connection.report"> | null,
   *   lastConnectionFacts: string,
   *   lastProbe: string,
   *   capture: ReturnType<typeof MettriCapture.createCapture> | null,
   *   backfill: ReturnType<typeof MettriBackfill.createBackfill> | null,
   *   scraper: ReturnType<typeof MettriScraper.createScraper> | null,
   *   sender: ReturnType<typeof MettriSendLoop.createSendLoop> | null,
   *   suggestions: ReturnType<typeof MettriSuggestions.createSuggestions> | null,
   * }}
   */
  const state = {
    selectors: MettriSelectors,
    role: null,
    tabId: null,
    connection: null,
    lastConnectionFacts: "",
    lastProbe: "",
    capture: null,
    backfill: null,
    scraper: null,
    sender: null, // sending: the send loop (send-loop.js)
    suggestions: null, // sending: the approve-suggestion bar (suggestions.js)
  };

  // -- sending: the send loop runs only in the active tab ----------------------------
  function startSender() {
    if (state.sender || !globalThis.MettriSendLoop) return;
    state.sender = MettriSendLoop.createSendLoop({ api, onEvent, selectors: state.selectors });
    state.sender.start();
    state.suggestions = MettriSuggestions.createSuggestions({ api, onEvent, selectors: state.selectors });
    state.suggestions.start();
  }

  function stopSender() {
    if (!state.sender) return;
    state.sender.stop();
    state.suggestions?.stop();
    state.sender = null;
    state.suggestions = null;
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
    const reply = await api.tabs.hello.request({ tab_id: null }, { timeoutMs: 120_000 });
    if (reply.ok) {
      state.tabId = reply.result.tab_id;
      applyRole(reply.result.role);
    } else setTimeout(hello, 2_000);
  }

  /** @param {Role} role */
  function applyRole(role) {
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

  async function reportConnection(force = false) {
    const facts = readDom.readConnection(document, state.selectors);
    if (facts.logged_in) selfTest(); // a chat opened or closed changes what can be checked
    const key = JSON.stringify(facts);
    if (!force && key === state.lastConnectionFacts) return;
    state.lastConnectionFacts = key;
    const reply = await api.connection.report.request({ ...facts, tab_id: null, observed_at: Date.now() / 1000 });
    if (reply.ok) state.connection = reply.result;
  }

  async function selfTest() {
    const results = readDom.probe(document, state.selectors);
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
    if (envelope.event === "backfill.requested") state.backfill?.run(envelope.data.job_id);
    else if (envelope.event === "backfill.progress" && envelope.data.state !== "running") state.backfill?.cancel(envelope.data.job_id);
    else if (envelope.event === "contacts.scan_requested") state.scraper?.run(envelope.data.scan_id, envelope.data.pace);
  });

  window.addEventListener("pagehide", () => {
    api.tabs.bye.request({ tab_id: null }, { timeoutMs: 2_000 });
  });

  // WhatsApp's warnings can be drawn anywhere, any moment: look again shortly after the page
  // changes (at most every 150 ms), not only on the 1 s poll, so sending pauses within a second.
  /** @type {ReturnType<typeof setTimeout> | null} */
  let factsTimer = null;
  function factsMayHaveChanged() {
    if (factsTimer) return;
    factsTimer = setTimeout(() => {
      factsTimer = null;
      const facts = readDom.readConnection(document, state.selectors);
      if (JSON.stringify(facts) !== state.lastConnectionFacts) reportConnection(false);
    }, 150);
  }
  new MutationObserver(factsMayHaveChanged).observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  // Every second: connection facts, and the self-test (safe mode lifts as soon as a chat opens).
  setInterval(() => reportConnection(false), CONNECTION_POLL_MS);
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
