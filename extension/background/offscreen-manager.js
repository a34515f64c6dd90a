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

export async function ensureOffscreen() {
  if (await exists()) return false;
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
        // Another caller won the race: that is fine.
        if (!String(err).includes("Only a single offscreen")) throw err;
      })
      .finally(() => {
        creating = null;
      });
  }
  await creating;
  return true;
}

export async function closeOffscreen() {
  if (await exists()) await chrome.offscreen.closeDocument();
}
