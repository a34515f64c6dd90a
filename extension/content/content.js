// Content script entry: the thin bridge between WhatsApp Web's DOM and the core.
// It reads attributes and text (read-dom.js), reports them, and does what the
// core asks in the page. It parses nothing and decides nothing: the selectors
// come from pycore (shared/selectors.js) and every decision is the core's.
(() => {
  const { request, onEvent } = globalThis.MettriCore;
  const readDom = globalThis.MettriReadDom;
  const HEARTBEAT_MS = 30_000; // the core hands the active role over after 90 s of silence
  const CONNECTION_POLL_MS = 1_000;

  const state = {
    selectors: globalThis.MettriSelectors,
    role: null,
    tabId: null,
    connection: null,
    lastConnectionFacts: "",
    lastProbe: "",
    capture: null,
    sender: null, // sending: the send loop (sender.js)
    suggestions: null, // sending: the approve-suggestion bar (suggestions.js)
  };

  // -- sending: the send loop runs only in the active tab ----------------------------
  function startSender() {
    if (state.sender || !globalThis.MettriSender) return;
    state.sender = globalThis.MettriSender.createSenderLoop({ request, onEvent, selectors: state.selectors });
    state.sender.start();
    state.suggestions = globalThis.MettriSuggestions.createSuggestions({ request, onEvent, selectors: state.selectors });
    state.suggestions.start();
  }

  function stopSender() {
    if (!state.sender) return;
    state.sender.stop();
    state.suggestions.stop();
    state.sender = null;
    state.suggestions = null;
  }
  // -- end sending ------------------------------------------------------------------

  function startCapture() {
    if (state.capture) return;
    state.capture = globalThis.MettriCapture.createCapture({ request, selectors: state.selectors });
    state.capture.start();
  }

  function stopCapture() {
    if (!state.capture) return;
    state.capture.stop();
    state.capture = null;
  }

  async function hello() {
    const reply = await request("tabs.hello", { tab_id: null }, { timeoutMs: 120_000 });
    if (reply.ok) {
      state.tabId = reply.result.tab_id;
      applyRole(reply.result.role);
    }
    else setTimeout(hello, 2_000);
  }

  function applyRole(role) {
    state.role = role;
    // Idle tabs neither capture nor send: one WhatsApp tab at a time acts.
    if (role === "active") startCapture();
    else stopCapture();
    if (role === "active") startSender(); // sending
    else stopSender(); // sending
  }

  async function reportConnection(force = false) {
    const facts = readDom.readConnection(document, state.selectors);
    const key = JSON.stringify(facts);
    if (!force && key === state.lastConnectionFacts) return;
    state.lastConnectionFacts = key;
    const reply = await request("connection.report", { ...facts, tab_id: null, observed_at: Date.now() / 1000 });
    if (reply.ok) state.connection = reply.result;
    if (facts.logged_in) selfTest();
  }

  async function selfTest() {
    const results = readDom.probe(document, state.selectors);
    const chatOpen = !!(results.conversation_panel && results.conversation_panel.count);
    // In 2026 builds the send button exists only after text is typed: not a failure.
    if (results.send_button && !results.send_button.count && results.composer && results.composer.count) {
      results.send_button.deferred = true;
    }
    const key = JSON.stringify(results);
    if (key === state.lastProbe) return;
    state.lastProbe = key;
    await request("selftest.report", { results, chat_open: chatOpen, tab_id: null });
  }

  onEvent((envelope) => {
    if (envelope.event === "tabs.role" && envelope.data.tab_id === state.tabId) applyRole(envelope.data.role);
  });

  // Requests from the core (through the service worker) to act in this page.
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || !message || message.to !== "content" || !message.request) return false;
    const actions = globalThis.MettriActions;
    if (!actions) {
      sendResponse({ ok: false, error: "no_actions" });
      return false;
    }
    actions.perform(message.request, { state, selectors: state.selectors }).then(sendResponse, (err) =>
      sendResponse({ ok: false, error: String(err) }),
    );
    return true;
  });

  window.addEventListener("pagehide", () => {
    request("tabs.bye", { tab_id: null }, { timeoutMs: 2_000 });
  });

  setInterval(() => reportConnection(false), CONNECTION_POLL_MS);
  // sending: re-check the composer when a chat opens (safe mode lifts then, not at the next heartbeat)
  setInterval(() => state.role === "active" && state.lastConnectionFacts.includes('"logged_in":true') && selfTest(), CONNECTION_POLL_MS);
  setInterval(() => reportConnection(true), HEARTBEAT_MS);
  hello().then(() => reportConnection(true));
  globalThis.MettriContent = state; // for diagnostics in DevTools (isolated world only)
})();
