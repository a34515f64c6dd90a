// @ts-check
// Diagnostics: boots a second, private copy of the Python core runtime and checks
// that this browser can run it and store data (a scratch IndexedDB database that
// is deleted afterwards). Support asks users to open this page; the test suite
// also uses its runtime to run the core's own tests inside Pyodide.
import { loadRuntime } from "../../offscreen/runtime.js";
import { IdbShim } from "../../offscreen/idb-shim.js";
import { mountCoreView } from "./core-view.js";
import { mountLogView } from "./log-view.js";
import { mountPageState } from "./page-state-view.js";
import { locale } from "../sidepanel/dom.js";

const { t, apply } = MettriI18n;
apply();
const out = /** @type {HTMLElement} */ (document.getElementById("out"));
const pill = /** @type {HTMLElement} */ (document.getElementById("state"));
/** @param {string} line */
const log = (line) => (out.textContent += line + "\n");
const millis = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

/** @type {ReturnType<typeof loadRuntime> | null} */
let runtime = null;
async function getRuntime() {
  if (!runtime) {
    runtime = loadRuntime((stage, phase, ms = 0) => phase === "done" && log(`${t(`coreStage_${stage}`)}: ${millis.format(ms)} ms`));
  }
  return runtime;
}

async function selfCheck() {
  out.textContent = "";
  pill.hidden = false; // shown from the first check on: an empty pill before it said nothing
  pill.textContent = "…";
  try {
    const pyodide = await getRuntime();
    const name = `mettri-selfcheck-${Date.now()}`;
    const shim = new IdbShim(name);
    Object.assign(globalThis, { mettriScratchShim: shim }); // Python reaches it as js.mettriScratchShim
    const result = await pyodide.runPythonAsync(`
import js
from pycore.diagnostics import run
await run(js.mettriScratchShim)
`);
    log(t("diagStoreOk", [millis.format(result)]));
    shim.close();
    indexedDB.deleteDatabase(name);
    pill.textContent = t("diagOk");
    pill.className = "pill ready";
  } catch (err) {
    log(String(err));
    pill.textContent = t("diagFailed");
    pill.className = "pill failed";
  }
}

document.getElementById("run")?.addEventListener("click", selfCheck);
Object.assign(globalThis, { mettriDiagnostics: { getRuntime, IdbShim, selfCheck } }); // for tests and DevTools

// The core's own state first: it is drawn while the core starts, and when it failed.
mountCoreView(/** @type {HTMLElement} */ (document.getElementById("core-state")));
MettriCore.ensureCore().then(() => {
  mountPageState(/** @type {HTMLElement} */ (document.getElementById("page-state")));
  mountLogView(/** @type {HTMLElement} */ (document.getElementById("log")));
});
