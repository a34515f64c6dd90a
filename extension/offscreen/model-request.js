// @ts-check
// The core's request to a language model, made by the offscreen document (not its worker): only
// the document may ask the service worker for the API key, and Chrome's built-in model is a
// window API.

import { builtinChat } from "../shared/builtin-model.js";

/** The API key, from the service worker (only it reads chrome.storage.local; "" when none). */
async function modelKey() {
  /** @type {Mettri.Message} */
  const ask = { to: "sw", kind: "model_key" };
  try {
    const reply = await chrome.runtime.sendMessage(ask);
    return reply && typeof reply.key === "string" ? reply.key : "";
  } catch {
    return "";
  }
}

/**
 * The core's request to an OpenAI-compatible endpoint (pycore/suggest/model.py builds the body and
 * reads the reply): the key is added here, the request is aborted at the user's timeout.
 * @param {{ provider: "endpoint" | "builtin", url: string, body: string, timeout_ms: number,
 *           messages: { role: string, content: string }[] }} req
 */
export async function modelChat(req) {
  if (req.provider === "builtin") return builtinChat(req);
  // The core keeps no timer: this port answers within the timeout, whatever hangs.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeout_ms);
  try {
    const key = await modelKey();
    /** @type {Record<string, string>} */
    const headers = { "Content-Type": "application/json" };
    if (key) headers.Authorization = `Bearer ${key}`;
    const res = await fetch(req.url, { method: "POST", headers, body: req.body, signal: controller.signal,
                                       credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
    return { status: res.status, body: await res.text() };
  } catch {
    return { error: controller.signal.aborted ? "timeout" : "network" }; // never the key, never the body
  } finally {
    clearTimeout(timer);
  }
}
