// @ts-check
// Keeps exactly one offscreen document (the Python core) alive: creates it when
// needed and again if Chrome closed it. Creation is guarded so concurrent callers
// share one attempt (Chrome allows a single offscreen document).

const OFFSCREEN_PATH = "extension/offscreen/offscreen.html";
/** @type {Promise<void> | null} */
let creating = null;

async function exists() {
  const url = chrome.runtime.getURL(OFFSCREEN_PATH);
  const contexts = await chrome.runtime.getContexts({
    contextTypes: ["OFFSCREEN_DOCUMENT"],
    documentUrls: [url],
  });
  return contexts.length > 0;
}

/** The one creation under way, shared by every caller (a document that exists already is fine).
 *  The worker's first module calls it at once, without asking first whether the document exists:
 *  that answer would come only once all the worker's modules have run (60-80 ms at a browser's start). */
export function startOffscreen() {
  if (!creating) {
    creating = chrome.offscreen
      .createDocument({
        url: OFFSCREEN_PATH,
        // WORKERS: the core is a long-running WebAssembly runtime; this reason
        // keeps the document alive while idle (measured 6+ minutes).
        reasons: ["WORKERS"],
        justification: "Runs Mettri's local Python core (Pyodide): capture, search and the send gate.",
      })
      .catch((err) => {
        // It exists already, or another caller won the race: that is fine.
        if (!String(err).includes("Only a single offscreen")) throw err;
      })
      .finally(() => {
        creating = null;
      });
  }
  return creating;
}

export async function ensureOffscreen() {
  if (await exists()) return false;
  await startOffscreen();
  return true;
}

export async function closeOffscreen() {
  if (await exists()) await chrome.offscreen.closeDocument();
}
