// Diagnostics: boots a second, private copy of the Python core runtime and checks
// that this browser can run it and store data (a scratch IndexedDB database that
// is deleted afterwards). Support asks users to open this page; the test suite
// also uses its runtime to run the core's own tests inside Pyodide.
import { loadRuntime } from "../../offscreen/runtime.js";
import { IdbShim } from "../../offscreen/idb-shim.js";

const { t, apply } = globalThis.MettriI18n;
apply();
const out = document.getElementById("out");
const pill = document.getElementById("state");
const log = (line) => (out.textContent += line + "\n");

let runtime = null;
async function getRuntime() {
  if (!runtime) {
    runtime = loadRuntime((stage, phase, ms) => phase === "done" && log(`${stage}: ${Math.round(ms)} ms`));
  }
  return runtime;
}

async function selfCheck() {
  out.textContent = "";
  pill.textContent = "…";
  try {
    const pyodide = await getRuntime();
    const name = `mettri-selfcheck-${Date.now()}`;
    globalThis.mettriScratchShim = new IdbShim(name);
    const result = await pyodide.runPythonAsync(`
import js
from pycore.diagnostics import run
await run(js.mettriScratchShim)
`);
    log(result);
    globalThis.mettriScratchShim.close();
    indexedDB.deleteDatabase(name);
    pill.textContent = t("diagOk");
    pill.className = "pill ready";
  } catch (err) {
    log(String(err));
    pill.textContent = t("diagFailed");
    pill.className = "pill failed";
  }
}

document.getElementById("run").addEventListener("click", selfCheck);
globalThis.mettriDiagnostics = { getRuntime, IdbShim, selfCheck };
