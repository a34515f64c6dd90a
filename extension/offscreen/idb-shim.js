// @ts-check
// IndexedDB, reduced to what the Python storage adapter needs (pycore/host.py).
// Every call takes and returns JSON text: one conversion per bridge call, and a
// batch of writes is one call and one transaction.

const DB_NAME = "mettri";

/**
 * The shapes pycore/host.py sends (JSON text): the schema, a key range, a write, a query.
 * @typedef {{ version: number, stores: Record<string, { keyPath: string, indexes?: Record<string, string | string[]> }> }} Schema
 * @typedef {{ eq?: IDBValidKey | null, lower?: IDBValidKey | null, upper?: IDBValidKey | null }} RangeSpec
 * @typedef {{ op: "put" | "delete" | "clear", store: string, record?: any, key?: IDBValidKey, range?: RangeSpec, blob?: number }} WriteOp
 * @typedef {{ store: string, index?: string | null, range?: RangeSpec | null, limit?: number | null, reverse?: boolean,
 *   fields?: string[] | null }} Query fields: only these of each record (Storage.query)
 * @typedef {{ store: string, key: string, parts: RangeSpec }} EarlyBlob a blob to read before the core asks (early-reads.js)
 * @typedef {"size" | "missing" | "larger" | "smaller"} Fault what keeps a blob from being whole
 * @typedef {{ head: string, data: Uint8Array | null, fault: Fault | null }} WholeBlob its head record
 *   as JSON text, and all its bytes (null, with the fault, when they are not whole)
 */

/**
 * @template T
 * @param {IDBRequest<T>} req
 * @returns {Promise<T>}
 */
function requestToPromise(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * One write op placed in a transaction; its request.
 * @param {IDBTransaction} tx
 * @param {WriteOp} o
 * @param {Uint8Array<ArrayBuffer>[] | undefined} blobs
 * @returns {IDBRequest}
 */
function placeOp(tx, o, blobs) {
  const s = tx.objectStore(o.store);
  // A part is stored as a Blob: a start reads those in parallel, twice as fast after a
  // browser start as bytes that IndexedDB wraps in a blob of its own (and compresses).
  if (o.op === "put" && o.blob !== undefined) return s.put({ ...o.record, data: new Blob([/** @type {Uint8Array<ArrayBuffer>[]} */ (blobs)[o.blob]]) });
  if (o.op === "put") return s.put(o.record);
  if (o.op === "delete" && o.range) return s.delete(/** @type {IDBKeyRange} */ (range(o.range)));
  if (o.op === "delete") return s.delete(/** @type {IDBValidKey} */ (o.key));
  if (o.op === "clear") return s.clear();
  throw new TypeError(`unknown op ${o.op}`);
}

// Write ops placed in a transaction at a time (apply).
const WRITE_CHUNK = 500;

/**
 * Records with only the fields asked for (all of them when none are): what is not asked for is
 * not turned into JSON text here and parsed again in Python (pycore/storage/base.py picked).
 * @param {any[]} records
 * @param {string[] | null | undefined} fields
 */
function picked(records, fields) {
  if (!fields) return records;
  return records.map((rec) => {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const f of fields) if (f in rec) out[f] = rec[f];
    return out;
  });
}

/** @param {RangeSpec | null | undefined} spec */
function range(spec) {
  if (!spec) return undefined;
  if (spec.eq !== undefined && spec.eq !== null) return IDBKeyRange.only(spec.eq);
  const hasLower = spec.lower !== undefined && spec.lower !== null;
  const hasUpper = spec.upper !== undefined && spec.upper !== null;
  if (hasLower && hasUpper) return IDBKeyRange.bound(spec.lower, spec.upper);
  if (hasLower) return IDBKeyRange.lowerBound(spec.lower);
  if (hasUpper) return IDBKeyRange.upperBound(spec.upper);
  return undefined;
}

/**
 * @param {unknown} err
 * @param {string} what
 */
function storageError(err, what) {
  const { name, message } = /** @type {{ name?: string, message?: string }} */ (err || {});
  const e = new Error(`${what}: ${name ? name + ": " + message : err}`);
  e.name = name || "Error";
  return e;
}

/**
 * The database as it is, or null when there is none: opened without a version, so that reading
 * early never creates a database or upgrades one (that is the core's open, with its schema). The
 * connection lets go when the core's open asks to upgrade.
 * @param {string} name
 * @returns {Promise<IDBDatabase | null>}
 */
export function openExisting(name) {
  return new Promise((resolve) => {
    const req = indexedDB.open(name);
    req.onupgradeneeded = () => /** @type {IDBTransaction} */ (req.transaction).abort(); // none yet: make none
    req.onerror = (e) => {
      e.preventDefault();
      resolve(null);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
  });
}

/**
 * A blob part's size without reading it: a Blob (how parts are written) or bytes (parts written
 * before, which IndexedDB wrapped itself); null for anything else.
 * @param {unknown} data
 */
function partSize(data) {
  if (data instanceof Blob) return data.size;
  if (data instanceof Uint8Array) return data.byteLength;
  return null;
}

/**
 * A blob part's bytes. A Blob's are read on their own: reads started together run together, where
 * values IndexedDB wrapped itself come one after the other through the cursor.
 * @param {Blob | Uint8Array} data
 * @returns {Promise<Uint8Array>}
 */
async function partBytes(data) {
  return data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
}

/**
 * A whole blob (pycore/storage/base.py put_blob) in one transaction: its head, then its parts put
 * together in one buffer of the size the head gives. Null when there is no such blob; without data
 * when it is not whole, with what is wrong (the core reports it; an early read is not used).
 * @param {IDBDatabase} db
 * @param {EarlyBlob} blob
 * @returns {Promise<WholeBlob | null>}
 */
export async function readWhole(db, { store, key, parts }) {
  if (!db.objectStoreNames.contains(store)) return null;
  const source = db.transaction(store, "readonly").objectStore(store);
  const head = await requestToPromise(source.get(key));
  if (!head) return null;
  const text = JSON.stringify(head);
  const size = head.size ?? 0; // a record written otherwise: no parts
  if (!Number.isSafeInteger(size) || size < 0) return { head: text, data: null, fault: "size" };
  const data = new Uint8Array(size);
  /** @type {Promise<void>[]} each part copied into place once read */
  const placed = [];
  let at = 0;
  /** @type {Fault | null} */
  const fault = await new Promise((resolve, reject) => {
    const cursor = source.openCursor(range(parts));
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const found = cursor.result;
      if (!found) return resolve(at < size ? "smaller" : null);
      const part = /** @type {{ data?: unknown }} */ (found.value).data;
      const n = partSize(part);
      if (n === null) return resolve("missing");
      if (at + n > size) return resolve("larger");
      const to = at;
      placed.push(partBytes(/** @type {Blob | Uint8Array} */ (part)).then((bytes) => data.set(bytes, to)));
      at += n;
      found.continue();
    };
  });
  await Promise.all(placed);
  return fault ? { head: text, data: null, fault } : { head: text, data, fault: null };
}

/** @param {string} store @param {string} key */
const earlyId = (store, key) => `${store}\u0000${key}`;
// From the extension's root: pages that import this module are bundled elsewhere.
const EARLY_READER = "/extension/offscreen/early-reader.js";

export class IdbShim {
  constructor(name = DB_NAME) {
    this.name = name;
    /** @type {IDBDatabase | null} */
    this.db = null;
    /** @type {Schema | null} */
    this.schema = null;
    /** @type {Map<string, Promise<WholeBlob | null>>} early reads not taken yet, by store and key */
    this.early = new Map();
  }

  /**
   * Start reading the blobs the core asks for first while its runtime still loads: after a browser
   * start, the search snapshot of a million messages (87 parts of 4 MiB) takes ~2 s to come out of
   * IndexedDB, which the runtime's load now covers. They are read on a thread of their own
   * (early-reader.js) and handed over without a copy: the tasks that take in 345 MB of Blobs, run
   * on the core's thread, made its start 0.3-0.6 s longer. What was read is taken once
   * (takeEarlyBlob); a read that failed leaves the core to read the blob as usual.
   * @param {readonly EarlyBlob[]} blobs
   */
  readEarly(blobs) {
    /** @type {Map<string, (got: WholeBlob | null) => void>} */
    const waiting = new Map();
    for (const b of blobs) {
      const id = earlyId(b.store, b.key);
      this.early.set(id, new Promise((resolve) => waiting.set(id, resolve)));
    }
    const reader = new Worker(EARLY_READER, { type: "module" });
    const end = () => {
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
      reader.terminate();
    };
    reader.onmessage = (/** @type {MessageEvent<{ store: string, key: string, got: WholeBlob | null }>} */ { data }) => {
      const id = earlyId(data.store, data.key);
      waiting.get(id)?.(data.got);
      waiting.delete(id);
      if (!waiting.size) end();
    };
    reader.onerror = (e) => {
      e.preventDefault();
      end();
    };
    reader.postMessage({ name: this.name, blobs });
  }

  /**
   * A blob read early, once (what it holds is the core's from then on), or undefined (None in
   * Python, where null is not): none was read, or not whole.
   * @param {string} store
   * @param {string} keyJson
   */
  async takeEarlyBlob(store, keyJson) {
    const id = earlyId(store, JSON.parse(keyJson));
    const read = this.early.get(id);
    this.early.delete(id);
    return (read && (await read)) || undefined;
  }

  /** Let go of early reads the core did not take (it did not need them). */
  dropEarly() {
    this.early.clear();
  }

  /** Open and upgrade to the schema (pycore/storage/schema.py); return the previous version as JSON. */
  /** @param {string} schemaJson */
  async open(schemaJson) {
    /** @type {Schema} */
    const schema = JSON.parse(schemaJson);
    this.schema = schema;
    /** @type {number | null} */
    let previous = null;
    const req = indexedDB.open(this.name, schema.version);
    req.onupgradeneeded = (event) => {
      previous = event.oldVersion;
      const db = req.result;
      const tx = /** @type {IDBTransaction} */ (req.transaction);
      for (const [storeName, spec] of Object.entries(schema.stores)) {
        const store = db.objectStoreNames.contains(storeName)
          ? tx.objectStore(storeName)
          : db.createObjectStore(storeName, { keyPath: spec.keyPath });
        const wanted = spec.indexes || {};
        for (const [indexName, keyPath] of Object.entries(wanted)) {
          if (!store.indexNames.contains(indexName)) store.createIndex(indexName, keyPath);
        }
        // An index the schema no longer lists would still cost every write to its store.
        for (const indexName of Array.from(store.indexNames)) {
          if (!(indexName in wanted)) store.deleteIndex(indexName);
        }
      }
    };
    req.onblocked = () => console.warn("mettri: database upgrade blocked by another open connection");
    /** @type {IDBDatabase} */
    let db;
    try {
      db = await requestToPromise(req);
    } catch (err) {
      throw storageError(err, "open failed");
    }
    this.db = db;
    // Another context upgrading the schema asks us to let go; reopen lazily.
    db.onversionchange = () => this.close();
    db.onclose = () => {
      this.db = null;
    };
    return JSON.stringify(previous === null ? schema.version : previous);
  }

  close() {
    if (this.db) this.db.close();
    this.db = null;
    return "null";
  }

  /** @returns {Promise<IDBDatabase>} */
  async _ensureOpen() {
    if (!this.db) {
      if (!this.schema) throw storageError({ name: "InvalidStateError", message: "database is closed" }, "closed");
      await this.open(JSON.stringify(this.schema));
    }
    return /** @type {IDBDatabase} */ (this.db);
  }

  /**
   * ops: [{op: "put"|"delete"|"clear", store, record?, key?, range?, blob?}], all in one transaction.
   * A put with `blob: n` stores blobs[n] (bytes, which JSON cannot carry) as its record's `data`, a Blob.
   * @param {string} opsJson
   * @param {Uint8Array<ArrayBuffer>[]} [blobs]
   */
  async apply(opsJson, blobs) {
    /** @type {WriteOp[]} */
    const ops = JSON.parse(opsJson);
    const db = await this._ensureOpen();
    const stores = [...new Set(ops.map((o) => o.store))];
    if (!stores.length) return "0";
    return new Promise((resolve, reject) => {
      /** @type {IDBTransaction | undefined} */
      let tx;
      /** @param {unknown} err */
      const fail = (err) => {
        try {
          if (tx) tx.abort();
        } catch (e) {
          // already finished or aborted: onabort has said so
        }
        reject(storageError(err, "write failed"));
      };
      // The ops are placed WRITE_CHUNK at a time, the next ones when the first of these is answered
      // (a transaction takes new requests in its requests' callbacks): placing 5,000 puts at once
      // (an import's batch, each record cloned as it is placed) held this thread, and every request
      // to the core behind it, for about 200 ms. The rest of a chunk keeps IndexedDB busy meanwhile.
      /** @param {number} from */
      const place = (from) => {
        try {
          const s = /** @type {IDBTransaction} */ (tx);
          const end = Math.min(ops.length, from + WRITE_CHUNK);
          const first = placeOp(s, ops[from], blobs);
          for (let i = from + 1; i < end; i++) placeOp(s, ops[i], blobs);
          if (end < ops.length) {
            first.onsuccess = () => place(end);
            // A failed op leaves the transaction going (onerror below); an abort does not, and
            // onabort then reports its cause (a full disk), which a refused placement would hide.
            first.onerror = () => {
              if (!first.error || first.error.name !== "AbortError") place(end);
            };
          }
        } catch (err) {
          fail(err);
        }
      };
      try {
        tx = db.transaction(stores, "readwrite", { durability: "strict" });
      } catch (err) {
        reject(storageError(err, "write failed"));
        return;
      }
      const done = tx;
      done.oncomplete = () => resolve(String(ops.length));
      done.onabort = () => reject(storageError(done.error, "write aborted"));
      done.onerror = (e) => e.preventDefault(); // reported once, by onabort
      place(0);
    });
  }

  /**
   * @param {string} store
   * @param {string} keyJson
   */
  async get(store, keyJson) {
    const db = await this._ensureOpen();
    const rec = await requestToPromise(db.transaction(store, "readonly").objectStore(store).get(JSON.parse(keyJson)));
    return JSON.stringify(rec === undefined ? null : rec);
  }

  /**
   * Many gets in one transaction: one bridge call instead of one per key.
   * @param {string} store
   * @param {string} keysJson
   */
  async getMany(store, keysJson) {
    /** @type {IDBValidKey[]} */
    const keys = JSON.parse(keysJson);
    const db = await this._ensureOpen();
    const source = db.transaction(store, "readonly").objectStore(store);
    const found = await Promise.all(keys.map((/** @type {IDBValidKey} */ k) => requestToPromise(source.get(k))));
    return JSON.stringify(found.map((rec) => (rec === undefined ? null : rec)));
  }

  /**
   * A blob (pycore/storage/base.py put_blob) whole, as readWhole reads it; undefined (None in
   * Python) when there is none. Parts stored as bytes come one after the other through the cursor
   * (0.44-0.51 s at a million messages, where a get per part or one getAll took 1.04-1.47 s); parts
   * stored as Blobs are read all at once.
   * @param {string} store
   * @param {string} keyJson
   * @param {string} partsJson the parts' key range
   */
  async readBlob(store, keyJson, partsJson) {
    const db = await this._ensureOpen();
    return (await readWhole(db, { store, key: JSON.parse(keyJson), parts: JSON.parse(partsJson) })) ?? undefined;
  }

  /** @param {string} qJson a Query */
  async query(qJson) {
    /** @type {Query} */
    const q = JSON.parse(qJson);
    return JSON.stringify(picked(await this._records(q), q.fields));
  }

  /**
   * @param {Query} q
   * @returns {Promise<any[]>}
   */
  async _records(q) {
    const db = await this._ensureOpen();
    /** @type {IDBObjectStore | IDBIndex} */
    let source = db.transaction(q.store, "readonly").objectStore(q.store);
    if (q.index) source = source.index(q.index);
    const r = range(q.range);
    if (!q.reverse) return requestToPromise(source.getAll(r, q.limit ?? undefined));
    // Newest first in one request where the browser has it (getAllRecords, Chrome 141): a cursor costs
    // a task per record (500 for the side panel's chat list, 200 for an open chat).
    const all = /** @type {any} */ (source).getAllRecords;
    if (typeof all === "function") {
      /** @type {{ value: unknown }[]} */
      const found = await requestToPromise(all.call(source, { query: r, count: q.limit ?? undefined, direction: "prev" }));
      return found.map((rec) => rec.value);
    }
    /** @type {unknown[]} */
    const out = [];
    await new Promise((/** @type {(value?: unknown) => void} */ resolve, reject) => {
      const req = source.openCursor(r, "prev");
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor || (q.limit != null && out.length >= q.limit)) return resolve();
        out.push(cursor.value);
        cursor.continue();
      };
    });
    return out;
  }

  /** @param {string} qJson */
  async count(qJson) {
    /** @type {Query} */
    const q = JSON.parse(qJson);
    const db = await this._ensureOpen();
    /** @type {IDBObjectStore | IDBIndex} */
    let source = db.transaction(q.store, "readonly").objectStore(q.store);
    if (q.index) source = source.index(q.index);
    return JSON.stringify(await requestToPromise(source.count(range(q.range))));
  }
}
