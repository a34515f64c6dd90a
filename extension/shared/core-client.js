// @ts-check
// The transport under the generated client (MettriApi, shared/protocol.js): sends a request
// envelope to the core and hears the core's events. A request goes to the offscreen document
// directly (it checks the sender itself, by the worker's rule): on the line this context holds open
// to it (offscreen/lines.js) once the document has said hello, as a runtime message before that;
// when no document answers (not created yet, closed, still loading), it goes through the service
// worker, which (re)creates it.
// A classic script: the content script and the extension pages both load it.
var MettriCore = (() => {
  const DEFAULT_TIMEOUT_MS = 30_000;
  const LINE_NAME = "mettri-core"; // offscreen/lines.js
  const HEARD_KEPT = 512; // keys of events heard lately: an event comes twice within milliseconds
  let counter = 0;

  function newId() {
    counter += 1;
    return `${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /**
   * No context took the message (no offscreen document, or its script not listening yet): it was
   * not handled, so sending it again through the worker cannot run it twice. (Chrome resolves with
   * undefined in that case today; these are its older wordings.) A document that took the request
   * and then closed rejects with "A listener indicated an asynchronous response...": not matched,
   * the request may have run, so it becomes an error and is never sent again.
   * @param {unknown} err
   */
  function undelivered(err) {
    const message = String(err && typeof err === "object" && "message" in err ? err.message : err);
    return /Receiving end does not exist|message port closed before a response was received/.test(message);
  }

  /**
   * Through the service worker, which creates the offscreen document when it is missing.
   * @param {Mettri.Request} envelope
   * @param {string} text the envelope as JSON text
   * @returns {Promise<any>}
   */
  function viaWorker(envelope, text) {
    return chrome.runtime
      .sendMessage(/** @type {Mettri.Message} */ ({ to: "core", request: text }))
      .then((reply) => decode(reply) ?? MettriProtocol.errorReply(envelope.id, "not_ready", "no reply"));
  }

  /**
   * Requests and replies cross as JSON text: Chrome copies a string far faster than it converts an
   * object, on the sender's thread (for the content script, WhatsApp's own).
   * @param {unknown} reply
   */
  const decode = (reply) => (typeof reply === "string" ? JSON.parse(reply) : reply);

  /**
   * A runtime message to the offscreen document; through the worker when no document took it.
   * @param {Mettri.Request} envelope
   * @param {string} text the envelope as JSON text
   * @returns {Promise<any>}
   */
  function viaMessage(envelope, text) {
    return chrome.runtime.sendMessage(/** @type {Mettri.Message} */ ({ to: "core-direct", request: text })).then(
      (reply) => decode(reply) ?? viaWorker(envelope, text),
      (err) => (undelivered(err) ? viaWorker(envelope, text) : MettriProtocol.errorReply(envelope.id, "not_ready", String(err))),
    );
  }

  /** @typedef {{ port: chrome.runtime.Port, live: boolean, waiting: Map<string, (reply: any) => void> }} Line */
  /** @type {Line | null} */
  let line = null;

  /** The line to the offscreen document, opened when there is none. The document is the only
   *  context that listens for connections: it takes the line and says hello. With no document
   *  (not made yet, closed, still loading) the line drops at once, and the next request opens it
   *  again. */
  function openLine() {
    if (line) return line;
    /** @type {chrome.runtime.Port} */
    let port;
    try {
      port = chrome.runtime.connect({ name: LINE_NAME });
    } catch {
      return null; // the extension was reloaded under this page: runtime messages say so
    }
    /** @type {Line} */
    const opened = { port, live: false, waiting: new Map() };
    port.onMessage.addListener((/** @type {Mettri.LineMessage} */ message) => {
      if ("hello" in message) opened.live = true;
      else if ("event" in message) hear(message.event, message.key);
      else if ("reply" in message && message.id !== null) {
        const resolve = opened.waiting.get(message.id);
        opened.waiting.delete(message.id);
        if (resolve) resolve(decode(message.reply));
      }
    });
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError; // "Receiving end does not exist" when no document took it: expected
      if (line === opened) line = null;
      // The document took these and closed: they may have run, so they are never sent again.
      for (const [id, resolve] of opened.waiting) resolve(MettriProtocol.errorReply(id, "not_ready", "the core closed while answering"));
      opened.waiting.clear();
    });
    line = opened;
    return opened;
  }

  /**
   * The request on the line, if it is live; null: send it as a runtime message.
   * @param {string} id
   * @param {string} text the request envelope as JSON text
   * @returns {Promise<any> | null}
   */
  function onLine(id, text) {
    const open = openLine();
    if (!open || !open.live) return null;
    try {
      open.port.postMessage(/** @type {Mettri.LineMessage} */ ({ request: text }));
    } catch {
      return null; // it dropped this instant: not sent, so the runtime message may carry it
    }
    return new Promise((resolve) => open.waiting.set(id, resolve));
  }

  /**
   * Send one command; resolves with the reply envelope ({id, ok, result|error}).
   * Never rejects: transport failures become {ok:false, error:{code:"not_ready"}}.
   * @template {Mettri.CommandName} K
   * @param {K} type
   * @param {Mettri.CallParams<K>} params
   * @returns {Promise<Mettri.Reply<Mettri.Result<K>>>}
   */
  async function request(type, ...params) {
    const [args = {}, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}] = params;
    const id = newId();
    const { errorReply } = MettriProtocol;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @type {Promise<Mettri.Reply<never>>} */
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(errorReply(id, "not_ready", `no reply within ${timeoutMs} ms`)), timeoutMs);
    });
    const envelope = MettriProtocol.request(id, type, /** @type {Mettri.Args<K>} */ (args));
    const text = JSON.stringify(envelope);
    /** @type {Promise<Mettri.Reply<Mettri.Result<K>>>} */
    const send = (onLine(id, text) ?? viaMessage(envelope, text)).catch((err) => errorReply(id, "not_ready", String(err)));
    try {
      return await Promise.race([send, timeout]);
    } finally {
      clearTimeout(timer);
      line?.waiting.delete(id); // a reply that never came (timed out) is no longer waited for
    }
  }

  /**
   * Like request(), but resolves with the result and throws a Mettri.CallError on failure.
   * @template {Mettri.CommandName} K
   * @param {K} type
   * @param {Mettri.CallParams<K>} params
   * @returns {Promise<Mettri.Result<K>>}
   */
  async function call(type, ...params) {
    const reply = await request(type, ...params);
    if (reply.ok) return reply.result;
    const err = /** @type {Mettri.CallError} */ (new Error(reply.error.message));
    err.code = reply.error.code;
    err.details = reply.error.details;
    throw err;
  }

  /** @type {Set<(event: Mettri.Event) => void>} */
  const listeners = new Set();
  /** @type {Set<string>} */
  const heard = new Set();

  /**
   * One event to every listener, once: a page hears the document's events on its line and by the
   * broadcast, with the same key, and keeps whichever comes first.
   * @param {Mettri.Event} envelope
   * @param {string | undefined} key
   */
  function hear(envelope, key) {
    if (key !== undefined) {
      if (heard.has(key)) return;
      heard.add(key);
      if (heard.size > HEARD_KEPT) heard.delete(/** @type {string} */ (heard.values().next().value));
    }
    for (const fn of listeners) {
      try {
        fn(envelope);
      } catch (err) {
        console.error("mettri: event listener failed", err);
      }
    }
  }

  chrome.runtime.onMessage.addListener((/** @type {Mettri.Message} */ message, sender) => {
    if (sender.id !== chrome.runtime.id || !message) return false;
    // Pages hear broadcasts directly; the content script gets them relayed by the worker.
    if ((message.to === "broadcast" || message.to === "content") && message.envelope) hear(message.envelope, message.key);
    return false;
  });

  /**
   * Hear every event of the core; narrow by name: `if (e.event === "outbox.changed") e.data.id`.
   * @param {(event: Mettri.Event) => void} fn
   * @returns {() => void} stops listening
   */
  function onEvent(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  /** @param {Mettri.Message} message */
  const toWorker = (message) => chrome.runtime.sendMessage(message);

  /** Ask the service worker to make sure the core exists (pages call this on open). */
  function ensureCore() {
    return toWorker({ to: "sw", kind: "ensure_core" }).catch(() => undefined);
  }

  /** Close the core's document and start it again (options page, side panel's retry). */
  function restartCore() {
    return toWorker({ to: "sw", kind: "restart_core" });
  }

  /** Whether requests go on the line now (the diagnostics page and the tests ask). */
  const lineLive = () => !!line && line.live;

  return Object.freeze({ request, call, onEvent, ensureCore, restartCore, lineLive });
})();
