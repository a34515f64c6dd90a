// @ts-check
// One load at a time: a call while a load runs asks for one more run after it (with whatever
// the page's state is then), instead of queueing a request per keystroke or per event in the core.

/**
 * @param {() => Promise<void>} run
 * @returns {() => Promise<void>}
 */
export function coalesce(run) {
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  return function load() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
