// Pause / resume of every queue, with the pause reason in plain words.
import { call, el, fmtTime, onEvent, reason, t } from "../dom.js";

export function mount(root) {
  const box = el("section", { class: "card", id: "sending-status" });
  root.append(box);

  async function refresh(pausedEvent) {
    const s = await call("sending.status", {});
    const msg = s.stats.find((x) => x.kind === "message");
    const used = msg ? msg.windows.map((w) => `${t("window_" + w.name)}: ${w.used}/${w.limit}`).join(" · ") : "";
    const why = pausedEvent ? reason(pausedEvent) : s.pause_reason ? t("pause_" + s.pause_reason) : "";
    box.replaceChildren(
      el("h2", {}, t("sendingStatusTitle")),
      el("p", { class: s.paused ? "paused" : "running", id: "sending-state" },
        s.paused ? t("sendingPausedSince", [fmtTime(s.paused_at)]) : t("sendingRunning")),
      s.paused ? el("p", { id: "pause-reason" }, why) : null,
      el("p", { class: "meta" }, used),
      el("button", {
        type: "button", id: s.paused ? "sending-resume" : "sending-pause",
        onclick: async () => {
          await call(s.paused ? "sending.resume" : "sending.pause", s.paused ? {} : { reason: "user" });
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
