// Options: the send gate's settings, what the core holds, and its version.
import { mountSendingSettings } from "./sending-settings.js";
import { mountMetrics } from "./metrics-view.js";
const { call, onEvent, ensureCore } = globalThis.MettriCore;
const { t, apply } = globalThis.MettriI18n;
apply();

function row(list, label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

async function showStatus() {
  const pill = document.getElementById("core-state");
  try {
    const s = await call("core.status");
    pill.textContent = t("coreReady");
    pill.className = "pill ready";
    const list = document.getElementById("status");
    list.replaceChildren();
    row(list, t("coreVersion"), `${s.core_version} (Python ${s.python}, schema ${s.schema_version})`);
    for (const [store, n] of Object.entries(s.counts)) row(list, `${t("records")}: ${store}`, n.toLocaleString());
  } catch (err) {
    pill.textContent = err.code === "not_ready" ? t("coreStarting") : t("coreFailed");
    pill.className = "pill";
  }
}

document.getElementById("restart").addEventListener("click", async () => {
  await chrome.runtime.sendMessage({ to: "sw", kind: "restart_core" });
  showStatus();
});
async function showAll() {
  await showStatus();
  try {
    await mountMetrics(document.getElementById("metrics"));
    await mountSendingSettings(document.getElementById("sending-settings"));
  } catch (err) {
    console.warn("mettri: settings unavailable", err);
  }
}
onEvent((e) => e.event === "core.boot" && e.data.stage === "ready" && showAll());
ensureCore().then(showAll);
