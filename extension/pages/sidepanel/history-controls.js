// @ts-check
// Long history work started from the side panel: loading a chat's older history
// (backfill.*) in the open-chat view, and reading the whole chat list (contacts.scan)
// in the chats tab. The core paces both and the active WhatsApp tab does the
// scrolling; this module only asks, shows progress and says what went wrong.
// Text from WhatsApp goes in as textContent only (el() never parses HTML).
import { api, count, el, onEvent, t, tn } from "./dom.js";

// Multiplies the core's pauses; ?pace= on the page URL is for support and tests.
const PACE = Math.min(10, Math.max(0.001, Number(new URLSearchParams(location.search).get("pace")) || 1));

const STATUS_POLL_MS = 20_000;
// A scan reports every few rows; this long without a report means its tab is gone.
const SCAN_SILENT_MS = 90_000;

/** What to tell the user when the core refused: its own words when WhatsApp is not ready
 *  (no tab, logged out: the core checks, in both languages), else the error.
 *  @param {Mettri.CallError} err */
function refusal(err) {
  const said = err.code === "whatsapp_not_ready" ? err.details?.[0] : undefined;
  if (said && typeof said.pt_BR === "string" && typeof said.en === "string") return MettriI18n.pick(said.pt_BR, said.en);
  return t("backfillFailed", [err.message]);
}

/** A role=progressbar with a count. How much history exists is unknown until the end, so
 *  while running it is indeterminate (aria-valuetext says the count), and stopped part-way
 *  it is a dim, still bar. */
/**
 * @param {string} id
 * @param {string} label
 */
function progressBar(id, label) {
  const fill = el("div", { class: "fill" });
  const bar = el("div", { id, class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": "0", hidden: true },
    fill);
  /**
   * @param {number} now
   * @param {number | null} max
   * @param {string} text
   */
  const set = (now, max, text, moving = false) => {
    bar.hidden = false;
    bar.setAttribute("aria-valuenow", String(now));
    bar.setAttribute("aria-valuetext", text);
    if (max != null) bar.setAttribute("aria-valuemax", String(max));
    else bar.removeAttribute("aria-valuemax");
    bar.classList.toggle("indeterminate", max == null && moving);
    bar.classList.toggle("stopped", max == null && !moving);
    fill.style.width = max ? `${Math.min(100, (100 * now) / Math.max(1, max))}%` : "";
  };
  return Object.assign(bar, { set });
}

/** @param {string} id */
function statusLine(id) {
  const line = el("p", { id, class: "state", role: "status", "aria-live": "polite" });
  /**
   * @param {string} state
   * @param {string} text
   */
  const set = (state, text) => {
    line.dataset.state = state;
    line.className = `state ${state === "failed" || state === "error" ? "error" : ""}`;
    line.textContent = text;
  };
  return Object.assign(line, { set });
}

/** @param {string | null} reason */
function failureText(reason) {
  const key = `backfillReason_${reason}`;
  const text = t(key);
  return t("backfillFailed", [text === key ? reason || "?" : text]);
}

/** @typedef {Mettri.Result<"backfill.status">} Job */

/**
 * The open-chat view's "Load older history": start, cancel, resume, progress.
 * @param {HTMLElement} root
 */
export function mountBackfill(root) {
  const start = el("button", { type: "button", id: "backfill-start", onclick: () => begin() }, t("backfillStart"));
  const cancel = el("button", { type: "button", id: "backfill-cancel", hidden: true, onclick: () => stop() }, t("backfillCancel"));
  const bar = progressBar("backfill-bar", t("backfillLabel"));
  const line = statusLine("backfill-state");
  root.replaceChildren(el("div", { class: "row" }, start, cancel), bar, line);
  /** @type {string | null} */
  let chat = null;
  /** @type {Job | null} the job last shown: older replies and events are dropped */
  let shown = null;

  /** @param {Job} job */
  function render(job) {
    if (shown && job.job_id === shown.job_id && job.updated_at < shown.updated_at) return;
    shown = job;
    const n = count(job.loaded);
    const running = job.state === "running";
    start.disabled = running;
    start.textContent = t(job.state === "cancelled" || job.state === "failed" ? "backfillResume" : "backfillStart");
    cancel.hidden = !running;
    const text = {
      running: tn("backfillRunning", job.loaded, [n]),
      done: tn(job.reached_start ? "backfillDone" : "backfillDoneLimit", job.loaded, [n]),
      cancelled: tn("backfillCancelled", job.loaded, [n]),
      failed: failureText(job.reason),
    }[job.state];
    const max = job.state === "done" ? job.loaded : job.limit;
    bar.set(job.loaded, max, tn("backfillCount", job.loaded, [n]), running);
    line.set(job.state, text);
    watch(running);
  }

  // While a job runs, ask the core now and then: it alone can tell that the tab
  // doing the work went silent (closed, reloaded) and mark the job interrupted.
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let poll;
  /** @param {boolean} running */
  function watch(running) {
    clearInterval(poll);
    poll = running ? setInterval(() => chat && setChat(chat, true), STATUS_POLL_MS) : undefined;
  }

  function reset() {
    shown = null;
    start.disabled = false;
    start.textContent = t("backfillStart");
    cancel.hidden = true;
    bar.hidden = true;
    line.set("idle", "");
  }

  /** @param {string} text */
  function showError(text) {
    start.disabled = false;
    cancel.hidden = true;
    line.set("error", text);
  }

  /**
   * @param {string | null} key
   * @param {boolean} [keep]
   */
  async function setChat(key, keep = false) {
    chat = key;
    if (!keep) reset();
    if (!key) return watch(false);
    try {
      const job = await api.backfill.status({ chat: key });
      if (chat === key) render(job);
    } catch (err) {
      const e = /** @type {Mettri.CallError} */ (err);
      if (chat === key && e.code !== "not_found") showError(t("backfillFailed", [e.message]));
    }
  }

  async function begin() {
    const key = chat;
    if (!key) return;
    start.disabled = true;
    line.set("starting", "");
    try {
      render(await api.backfill.start({ chat: key, pace: PACE }));
    } catch (err) {
      if (chat === key) showError(refusal(/** @type {Mettri.CallError} */ (err)));
    }
  }

  async function stop() {
    if (!chat) return;
    try {
      render(await api.backfill.cancel({ chat }));
    } catch (err) {
      showError(t("backfillFailed", [/** @type {Error} */ (err).message]));
    }
  }

  onEvent((env) => {
    if (env.event === "backfill.progress" && chat && env.data.chat === chat) render(env.data);
  });
  return { setChat };
}

/**
 * The chats tab's "Read the whole chat list": contacts.scan with its progress; when it
 * ends onDone() redraws the list (chats.list with_scanned shows the scanned chats).
 * @param {HTMLElement} root
 * @param {() => void} onDone
 */
export function mountScan(root, onDone) {
  const start = el("button", { type: "button", id: "scan-start", onclick: () => begin() }, t("scanStart"));
  const bar = progressBar("scan-bar", t("scanLabel"));
  const line = statusLine("scan-state");
  root.replaceChildren(el("div", { class: "row" }, start), bar, line);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let silence = null;
  /** @param {{ rows: number, done: boolean }} progress */
  function render({ rows, done }) {
    const n = count(rows);
    start.disabled = !done;
    bar.set(rows, done ? rows : null, tn(done ? "scanDone" : "scanRunning", rows, [n]), !done);
    line.set(done ? "done" : "running", tn(done ? "scanDone" : "scanRunning", rows, [n]));
    if (silence) clearTimeout(silence);
    silence = done ? null : setTimeout(() => {
      start.disabled = false;
      bar.set(rows, null, tn("scanRunning", rows, [n]), false);
      line.set("failed", tn("scanInterrupted", rows, [n]));
    }, SCAN_SILENT_MS);
  }

  async function begin() {
    start.disabled = true;
    line.set("starting", "");
    try {
      await api.contacts.scan({ pace: PACE });
      render({ rows: 0, done: false });
    } catch (err) {
      start.disabled = false;
      line.set("error", refusal(/** @type {Mettri.CallError} */ (err)));
    }
  }

  onEvent((env) => {
    if (env.event !== "contacts.scan_progress") return;
    render(env.data);
    if (env.data.done) onDone();
  });
}
