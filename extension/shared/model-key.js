// @ts-check
// The language model's API key lives only here, in chrome.storage.local: the options page writes it,
// the service worker reads it for the offscreen document's request. It never enters the core, its
// database, a backup or a log.
export const MODEL_KEY = "mettri.model.apiKey";

/** @returns {Promise<string>} the saved key, "" when none */
export async function readModelKey() {
  const got = await chrome.storage.local.get(MODEL_KEY);
  const key = got[MODEL_KEY];
  return typeof key === "string" ? key : "";
}

/** @param {string} key "" removes it */
export async function writeModelKey(key) {
  if (key) await chrome.storage.local.set({ [MODEL_KEY]: key });
  else await chrome.storage.local.remove(MODEL_KEY);
}
