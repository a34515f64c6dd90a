// @ts-check
// Writing to a record when another page may have written first. Every write carries the version
// the page based it on; a stale one comes back as a ``conflict`` with the record as it is now
// (details[0].current). Then the page never overwrites silently: when what the user changed is
// still as they saw it (someone changed something else), the change is applied again on the new
// version; when the other page changed the same thing, the user is asked which to keep.

/**
 * The record (or note, reminder, definition) as it is now, from a conflict reply; null otherwise.
 * @param {unknown} err
 * @returns {any}
 */
export function conflictCurrent(err) {
  const e = /** @type {Mettri.CallError} */ (err);
  if (!e || e.code !== "conflict") return null;
  const d = e.details?.[0];
  return d && typeof d === "object" && "current" in d ? d.current : null;
}

/**
 * @template T, R
 * @param {{
 *   base: T,                                   // what the page showed when the user acted
 *   version: (item: T) => number,
 *   send: (version: number) => Promise<R>,     // the write, on a given version
 *   same: (base: T, now: T) => boolean,        // is what the user changed still as they saw it?
 *   ask: (now: T) => Promise<boolean>,         // the other page changed it too: apply mine anyway?
 *   adopt?: (now: T) => void,                  // the page takes the current state (when the user keeps theirs)
 *   retried?: (now: T) => void,                // the change was applied again on the newer version (said once it is stored)
 * }} o
 * @returns {Promise<R | null>} the write's result; null when the user kept the other change
 */
export async function writeWithVersion(o) {
  let base = o.base;
  let version = o.version(base);
  /** @type {T | null} */
  let reapplied = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const result = await o.send(version);
      if (reapplied) o.retried?.(reapplied);
      return result;
    } catch (err) {
      const now = /** @type {T | null} */ (conflictCurrent(err));
      if (!now) throw err;
      if (!o.same(base, now) && !(await o.ask(now))) {
        o.adopt?.(now);
        return null;
      }
      base = now;
      version = o.version(now);
      reapplied = now;
    }
  }
  throw new Error("mettri: the record kept changing; try again");
}
