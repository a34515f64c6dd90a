// Calls the core through the service worker and listens to its events.
// A classic script: the content script and the extension pages both load it.
(() => {
  const DEFAULT_TIMEOUT_MS = 30_000;
  let counter = 0;

  function newId() {
    counter += 1;
    return `${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /**
   * Send one command; resolves with the reply envelope ({id, ok, result|error}).
   * Never rejects: transport failures become {ok:false, error:{code:"not_ready"}}.
   */
  async function request(type, args = {}, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    const id = newId();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(
        () => resolve({ id, ok: false, error: { code: "not_ready", message: `no reply within ${timeoutMs} ms`, details: [] } }),
        timeoutMs,
      );
    });
    const send = chrome.runtime
      .sendMessage({ to: "core", request: { id, type, args } })
      .then((reply) => reply ?? { id, ok: false, error: { code: "not_ready", message: "no reply", details: [] } })
      .catch((err) => ({ id, ok: false, error: { code: "not_ready", message: String(err), details: [] } }));
    try {
      return await Promise.race([send, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Like request(), but resolves with the result and throws an Error carrying .code on failure. */
  async function call(type, args = {}, options = {}) {
    const reply = await request(type, args, options);
    if (reply.ok) return reply.result;
    const err = new Error(reply.error ? reply.error.message : "unknown error");
    err.code = reply.error ? reply.error.code : "internal_error";
    err.details = reply.error ? reply.error.details : [];
    throw err;
  }

  const listeners = new Set();
  chrome.runtime.onMessage.addListener((message, sender) => {
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

  function onEvent(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  /** Ask the service worker to make sure the core exists (pages call this on open). */
  function ensureCore() {
    return chrome.runtime.sendMessage({ to: "sw", kind: "ensure_core" }).catch(() => undefined);
  }

  globalThis.MettriCore = Object.freeze({ request, call, onEvent, ensureCore });
})();
