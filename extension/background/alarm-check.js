// @ts-check
// One chrome.alarms alarm at the next time the core says something is due (reminders, scheduled
// messages). Nothing is kept here: each check asks the core, which also answers for what came due
// while the browser was closed. Checks run one at a time; a check asked for meanwhile runs after.

/**
 * @param {string} name the alarm's name
 * @param {(reasons: Set<string>) => Promise<number | null>} once does the work and returns the
 *   seconds until the next due time by the core's clock (a dev build's clock may run ahead), or null
 * @returns {{ check: (reason?: string) => Promise<void>, last: { checks: number, next_in: number | null, error: string } }}
 */
export function alarmCheck(name, once) {
  /** What the last check did, for the tests and support (read through DevTools). */
  const last = { checks: 0, next_in: /** @type {number | null} */ (null), error: "" };
  /** @type {Promise<void> | null} */
  let running = null;
  /** @type {Set<string>} why checks were asked for since the last one started */
  let reasons = new Set();

  /** @param {string} [reason] */
  function check(reason = "event") {
    reasons.add(reason);
    if (running) return running;
    running = (async () => {
      while (reasons.size) {
        const now = reasons;
        reasons = new Set();
        try {
          const next = await once(now);
          if (next == null) await chrome.alarms.clear(name);
          else await chrome.alarms.create(name, { when: Date.now() + Math.max(1, next) * 1000 });
          last.next_in = next;
          last.error = "";
        } catch (err) {
          last.error = String(/** @type {Error} */ (err)?.message ?? err); // the next event or start tries again
        }
        last.checks += 1;
      }
    })().finally(() => (running = null));
    return running;
  }

  chrome.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === name) check("alarm");
  });
  return { check, last };
}
