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
 * @typedef {{ store: string, index?: string | null, range?: RangeSpec | null, limit?: number | null, reverse?: boolean }} Query
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

export class IdbShim {
  constructor(name = DB_NAME) {
    this.name = name;
    /** @type {IDBDatabase | null} */
    this.db = null;
    /** @type {Schema | null} */
    this.schema = null;
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
        for (const [indexName, keyPath] of Object.entries(spec.indexes || {})) {
          if (!store.indexNames.contains(indexName)) store.createIndex(indexName, keyPath);
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
   * A put with `blob: n` stores blobs[n] (bytes, which JSON cannot carry) as its record's `data`.
   * @param {string} opsJson
   * @param {Uint8Array[]} [blobs]
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
      try {
        tx = db.transaction(stores, "readwrite", { durability: "strict" });
        for (const o of ops) {
          const s = tx.objectStore(o.store);
          if (o.op === "put" && o.blob !== undefined) s.put({ ...o.record, data: /** @type {Uint8Array[]} */ (blobs)[o.blob] });
          else if (o.op === "put") s.put(o.record);
          else if (o.op === "delete" && o.range) s.delete(/** @type {IDBKeyRange} */ (range(o.range)));
          else if (o.op === "delete") s.delete(/** @type {IDBValidKey} */ (o.key));
          else if (o.op === "clear") s.clear();
          else throw new TypeError(`unknown op ${o.op}`);
        }
      } catch (err) {
        if (tx) tx.abort();
        reject(storageError(err, "write failed"));
        return;
      }
      const done = tx;
      done.oncomplete = () => resolve(String(ops.length));
      done.onabort = () => reject(storageError(done.error, "write aborted"));
      done.onerror = (e) => e.preventDefault(); // reported once, by onabort
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
   * A blob (pycore/storage/base.py put_blob), in one transaction: its head record as JSON text
   * ("null" when absent) and a promise of each part's bytes, in key order, each resolved as it
   * arrives (the core copies one while the next is read). The parts come through one cursor: at a
   * million messages (87 parts of 4 MiB) it read them in 0.44-0.51 s, where a get per part or one
   * getAll took 1.04-1.47 s.
   * @param {string} store
   * @param {string} keyJson
   * @param {string} partsJson the parts' key range
   */
  async getBlob(store, keyJson, partsJson) {
    const db = await this._ensureOpen();
    const source = db.transaction(store, "readonly").objectStore(store);
    const partRange = range(JSON.parse(partsJson));
    const [head, keys] = await Promise.all([
      requestToPromise(source.get(JSON.parse(keyJson))),
      requestToPromise(source.getAllKeys(partRange)),
    ]);
    /** @type {((data: Uint8Array | null) => void)[]} */
    const settle = [];
    /** @type {((err: unknown) => void)[]} */
    const fail = [];
    const parts = keys.map(() => new Promise((resolve, reject) => {
      settle.push(resolve);
      fail.push(reject);
    }));
    parts.forEach((p) => p.catch(() => {})); // a part the core no longer waits for (it failed before) is no unhandled error
    if (keys.length) {
      let n = 0;
      const cursor = source.openCursor(partRange);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at || n >= keys.length) {
          while (n < keys.length) settle[n++](null); // fewer than listed: the core finds the blob short
          return;
        }
        settle[n++](/** @type {{ data: Uint8Array }} */ (at.value).data);
        at.continue();
      };
      cursor.onerror = () => {
        while (n < keys.length) fail[n++](cursor.error);
      };
    }
    return { head: JSON.stringify(head === undefined ? null : head), parts };
  }

  /** q: {store, index?, range?, limit?, reverse?} */
  /** @param {string} qJson */
  async query(qJson) {
    /** @type {Query} */
    const q = JSON.parse(qJson);
    const db = await this._ensureOpen();
    /** @type {IDBObjectStore | IDBIndex} */
    let source = db.transaction(q.store, "readonly").objectStore(q.store);
    if (q.index) source = source.index(q.index);
    const r = range(q.range);
    if (!q.reverse) {
      return JSON.stringify(await requestToPromise(source.getAll(r, q.limit ?? undefined)));
    }
    // Newest first in one request where the browser has it (getAllRecords, Chrome 141): a cursor costs
    // a task per record (500 for the side panel's chat list, 200 for an open chat).
    const all = /** @type {any} */ (source).getAllRecords;
    if (typeof all === "function") {
      /** @type {{ value: unknown }[]} */
      const found = await requestToPromise(all.call(source, { query: r, count: q.limit ?? undefined, direction: "prev" }));
      return JSON.stringify(found.map((rec) => rec.value));
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
    return JSON.stringify(out);
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
