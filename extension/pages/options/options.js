// @ts-check
// Options: the send gate's settings, what the core holds, and its version.
import { mountSendingSettings } from "./sending-settings.js";
import { mountMetrics } from "./metrics-view.js";
import { mountOptouts } from "./optout-view.js";
import { mountSearchIndex } from "./search-index-view.js";
import { mountTemplates } from "./templates-view.js";
import { mountModel } from "./model-view.js";
import { count } from "../sidepanel/dom.js";
const { onEvent, ensureCore, restartCore } = MettriCore;
const { t, apply } = MettriI18n;
apply();

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {HTMLElement} list
 * @param {string} label
 * @param {string} value
 */
function row(list, label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

async function showStatus() {
  const pill = byId("core-state");
  try {
    const s = await MettriApi.core.status({});
    pill.textContent = t("coreReady");
    pill.className = "pill ready";
    const list = byId("status");
    list.replaceChildren();
    row(list, t("coreVersion"), `${s.core_version} (Python ${s.python}, schema ${s.schema_version})`);
    // What people recognise by name; the stores that only serve Mettri itself are counted together.
    let internal = 0;
    for (const [store, n] of Object.entries(s.counts)) {
      const name = chrome.i18n.getMessage(`store_${store}`);
      if (name) row(list, name, count(n));
      else internal += n;
    }
    row(list, t("store_internal"), count(internal));
  } catch (err) {
    pill.textContent = /** @type {Mettri.CallError} */ (err).code === "not_ready" ? t("coreStarting") : t("coreFailed");
    pill.className = "pill";
  }
}

byId("restart").addEventListener("click", async () => {
  await restartCore();
  showStatus();
});
/** @returns {Promise<boolean>} whether every view is mounted */
async function mountViews() {
  try {
    await mountMetrics(byId("metrics"));
    await mountSendingSettings(byId("sending-settings"));
    await mountTemplates(byId("templates"));
    await mountModel(byId("model"));
    await mountOptouts(byId("optouts"));
    await mountSearchIndex(byId("search-index"));
    return true;
  } catch (err) {
    console.warn("mettri: settings unavailable", err);
    return false;
  }
}

// The views are mounted once: each keeps itself current from the core's events. A page opened while
// the core starts hears its "ready" too, and mounted them twice (each view's requests twice, and its
// listeners twice from then on). A mount that failed is tried again at the next "ready".
/** @type {Promise<boolean> | null} */
let views = null;
async function showAll() {
  await showStatus();
  views = views || mountViews();
  if (!(await views)) views = null;
}
onEvent((e) => e.event === "core.boot" && e.data.stage === "ready" && showAll());
ensureCore().then(showAll);
