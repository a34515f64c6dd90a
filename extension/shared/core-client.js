// @ts-check
// The transport under the generated client (MettriApi, shared/protocol.js): sends a request
// envelope to the core and hears the core's events. A request goes to the offscreen document
// directly (it checks the sender itself, by the worker's rule); when no document answers (not
// created yet, closed, still loading), it goes through the service worker, which (re)creates it.
// A classic script: the content script and the extension pages both load it.
var MettriCore = (() => {
  const DEFAULT_TIMEOUT_MS = 30_000;
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
   * @returns {Promise<any>}
   */
  function viaWorker(envelope) {
    return chrome.runtime
      .sendMessage(/** @type {Mettri.Message} */ ({ to: "core", request: JSON.stringify(envelope) }))
      .then((reply) => decode(reply) ?? MettriProtocol.errorReply(envelope.id, "not_ready", "no reply"));
  }

  /**
   * Requests and replies cross as JSON text: Chrome copies a string far faster than it converts an
   * object, on the sender's thread (for the content script, WhatsApp's own).
   * @param {unknown} reply
   */
  const decode = (reply) => (typeof reply === "string" ? JSON.parse(reply) : reply);

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
    /** @type {Promise<Mettri.Reply<Mettri.Result<K>>>} */
    const send = chrome.runtime
      .sendMessage(/** @type {Mettri.Message} */ ({ to: "core-direct", request: JSON.stringify(envelope) }))
      .then(
        (reply) => decode(reply) ?? viaWorker(envelope),
        (err) => (undelivered(err) ? viaWorker(envelope) : errorReply(id, "not_ready", String(err))),
      )
      .catch((err) => errorReply(id, "not_ready", String(err)));
    try {
      return await Promise.race([send, timeout]);
    } finally {
      clearTimeout(timer);
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
  chrome.runtime.onMessage.addListener((/** @type {Mettri.Message} */ message, sender) => {
    if (sender.id !== chrome.runtime.id || !message) return false;
    // Pages hear broadcasts directly; the content script gets them relayed by the worker.
    if ((message.to === "broadcast" || message.to === "content") && message.envelope) {
      for (const fn of listeners) {
        try {
          fn(message.envelope);
        } catch (err) {
          console.error("mettri: event listener failed", err);
        }
      }
    }
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

  return Object.freeze({ request, call, onEvent, ensureCore, restartCore });
})();
