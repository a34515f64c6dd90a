// @ts-check
// A thread of its own for the core's early reads (IdbShim.readEarly): the blobs the core asks for
// first, each read whole and handed back without a copy (its buffer is transferred), or null (none,
// or not whole: the core reads it again itself, and says what is wrong).

import { openExisting, readWhole } from "./idb-shim.js";

self.onmessage = async (/** @type {MessageEvent<{ name: string, blobs: import("./idb-shim.js").EarlyBlob[] }>} */ { data }) => {
  const db = await openExisting(data.name);
  try {
    for (const blob of data.blobs) {
      const read = db ? await readWhole(db, blob).catch(() => null) : null;
      const got = read?.data ? { ...read, data: read.data } : null; // only a whole read is handed over
      self.postMessage({ store: blob.store, key: blob.key, got }, { transfer: got ? [got.data.buffer] : [] });
    }
  } finally {
    db?.close();
  }
};
