// @ts-check
// A sleep that a job can cut short: backfill and the chat-list scan wait between
// paced steps, and cancelling a job must not wait out the pause.
var MettriWake = (() => {
  /**
   * Resolves after ms, or as soon as job.wake() is called.
   * @param {{ wake: (() => void) | null }} job
   * @param {number} ms
   * @returns {Promise<void>}
   */
  function sleep(job, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      job.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  return Object.freeze({ sleep });
})();
