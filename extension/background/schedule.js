// @ts-check
// Scheduled messages wake the extension: the worker keeps one chrome.alarms alarm at the next
// scheduled entry's time (the core's outbox.alarm, asked at start, on outbox changes, on clock moves
// and when the core is ready). When it rings, the core is started if it was not running and tells
// the WhatsApp tabs' send loops to ask for their job now (outbox.due); the gate decides the rest
// (limits at send time, a message late past the tolerance waits for the user's confirmation).
import "./worker-core.js";
import { alarmCheck } from "./alarm-check.js";

const alarm = alarmCheck("mettri-schedule", async (reasons) => {
  const r = await MettriApi.outbox.alarm({ wake: reasons.has("alarm") });
  if (reasons.has("alarm")) woke.push(r.due);
  return r.next_in;
});
/** Due counts at each ring, for the tests and support (DevTools). */
const woke = /** @type {number[]} */ ([]);

export const check = () => alarm.check();

/** The core's events the worker hears (service-worker.js passes each broadcast). @param {Mettri.Event} e */
export function onCoreEvent(e) {
  if (e.event === "outbox.changed" || e.event === "clock.moved" || (e.event === "core.boot" && e.data.stage === "ready")) {
    check();
  }
}

Object.assign(globalThis, { mettriSchedule: { last: alarm.last, woke, check } });
