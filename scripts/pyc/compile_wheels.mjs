// Adds CPython 3.14 bytecode to wheels, compiled by the Pyodide runtime the extension ships
// (so the magic number and the bytecode are exactly what the browser will run).
//   node compile_wheels.mjs <pyodide dir> <work dir>
// Every *.whl in <work dir>/in is rewritten to <work dir>/out by compile_wheels.py.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [runtimeDir, workDir] = process.argv.slice(2);
if (!runtimeDir || !workDir) {
  console.error("usage: node compile_wheels.mjs <pyodide dir> <work dir>");
  process.exit(2);
}
const { loadPyodide } = await import(join(runtimeDir, "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: runtimeDir + "/", stdout: console.log, stderr: console.error });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: workDir }, "/work");
const here = dirname(fileURLToPath(import.meta.url));
pyodide.runPython(readFileSync(join(here, "compile_wheels.py"), "utf8"));
