// @ts-check
// What this build is, read once from its manifest file (neither the document nor its worker has
// chrome.runtime.getManifest()): the key of its runtime snapshot and whether it is a development build.

import { version as pyodideVersion } from "/vendor/pyodide/pyodide.mjs";

/** @typedef {{ snapshotKey: string, dev: boolean }} Release */

/** @type {Promise<Release> | null} */
let read = null;

/** @returns {Promise<Release>} */
export function release() {
  read ??= fetch(new URL("/manifest.json", location.href))
    .then((r) => r.json())
    .catch(() => null)
    .then((m) => ({
      // The snapshot belongs to this runtime and this release (whose core chose what it pre-imports).
      snapshotKey: `pyodide-${pyodideVersion}/mettri-${m ? m.version : "unknown"}`,
      // Unpacked (development) builds have no update_url (the store adds it): only they let tests
      // move the core's clock.
      dev: m !== null && !("update_url" in m),
    }));
  return read;
}
