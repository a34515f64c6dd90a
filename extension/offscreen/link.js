// @ts-check
// Calls and notices between the offscreen document and its core worker (core-worker.js), over
// postMessage. The same small rule on both sides: a call gets exactly one answer (its value, or
// its error's message), a notice gets none. Only strings and plain values cross: no proxies.

/** @typedef {{ t: "call", n: number, name: string, arg: unknown }
 *          | { t: "result", n: number, ok: boolean, value: unknown }
 *          | { t: "note", name: string, arg: unknown }} LinkMessage */

/** @typedef {{ postMessage(message: LinkMessage): void,
 *              onmessage: ((e: MessageEvent<LinkMessage>) => unknown) | null }} Endpoint */

/**
 * @param {Endpoint} endpoint the Worker (document side) or the worker's own global (worker side)
 * @param {Record<string, (arg: any) => unknown>} handlers what the other side may call or notify
 */
export function makeLink(endpoint, handlers) {
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const pending = new Map();
  let next = 0;
  /** @param {string} name @param {unknown} arg */
  const run = (name, arg) => {
    const fn = handlers[name];
    if (!fn) throw new Error(`no handler for ${name}`);
    return fn(arg);
  };
  endpoint.onmessage = (e) => {
    const m = e.data;
    if (m.t === "result") {
      const waiter = pending.get(m.n);
      pending.delete(m.n);
      if (waiter) m.ok ? waiter.resolve(m.value) : waiter.reject(new Error(String(m.value)));
    } else if (m.t === "call") {
      Promise.resolve()
        .then(() => run(m.name, m.arg))
        .then(
          (value) => endpoint.postMessage({ t: "result", n: m.n, ok: true, value }),
          (err) => endpoint.postMessage({ t: "result", n: m.n, ok: false, value: String((err && err.message) || err) }),
        );
    } else if (m.t === "note") {
      try {
        run(m.name, m.arg);
      } catch (err) {
        console.error("mettri: notice not handled", m.name, err);
      }
    }
  };
  return {
    /** @param {string} name @param {unknown} [arg] @returns {Promise<any>} */
    call(name, arg) {
      const n = ++next;
      return new Promise((resolve, reject) => {
        pending.set(n, { resolve, reject });
        endpoint.postMessage({ t: "call", n, name, arg });
      });
    },
    /** @param {string} name @param {unknown} [arg] */
    notify(name, arg) {
      endpoint.postMessage({ t: "note", name, arg });
    },
    /** Every call still waiting fails with this reason (the worker could not run). @param {string} reason */
    failAll(reason) {
      for (const waiter of pending.values()) waiter.reject(new Error(reason));
      pending.clear();
    },
  };
}
