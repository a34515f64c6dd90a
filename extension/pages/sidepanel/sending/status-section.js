// @ts-check
// Pause / resume of every queue, with the pause reason in plain words.
import { api, count, el, fmtTime, onEvent, reason, t } from "../dom.js";

/** @param {HTMLElement} root */
export function mount(root) {
  const box = el("section", { class: "card", id: "sending-status" });
  root.append(box);

  /** @param {Mettri.EventData<"sending.paused">} [pausedEvent] */
  async function refresh(pausedEvent) {
    const s = await api.sending.status({});
    const msg = s.stats.find((x) => x.kind === "message");
    const used = msg ? msg.windows.map((w) => `${t("window_" + w.name)}: ${count(w.used)}/${count(w.limit)}`).join(" · ") : "";
    const why = pausedEvent ? reason(pausedEvent) : s.pause_reason ? t("pause_" + s.pause_reason) : "";
    box.replaceChildren(
      el("h2", {}, t("sendingStatusTitle")),
      el("p", { class: s.paused ? "paused" : "running", id: "sending-state" },
        s.paused ? t("sendingPausedSince", [fmtTime(s.paused_at)]) : t("sendingRunning")),
      // Only while paused: a null here was drawn as a bare "null" line.
      ...(s.paused ? [el("p", { id: "pause-reason" }, why)] : []),
      el("p", { class: "meta" }, used),
      el("button", {
        type: "button", id: s.paused ? "sending-resume" : "sending-pause",
        onclick: async () => {
          await (s.paused ? api.sending.resume({}) : api.sending.pause({ reason: "user" }));
          refresh();
        },
      }, s.paused ? t("sendingResume") : t("sendingPause")),
    );
  }

  onEvent((env) => {
    if (env.event === "sending.paused") refresh(env.data);
    else if (env.event === "sending.resumed") refresh();
  });
  return refresh();
}
