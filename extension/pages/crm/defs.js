// @ts-check
// The CRM's definitions (tags, pipelines and their stages, custom fields, settings), loaded once
// per page and again when the core says they changed (crm.changed {defs: true}).
import { label } from "./format.js";

/** @typedef {Mettri.crm.CrmDefs} Defs */

/** @type {Promise<Defs> | null} */
let loading = null;
/** @type {Defs | null} */
let current = null;
/** @type {Set<(defs: Defs) => void>} */
const listeners = new Set();

/** The definitions (cached; the first call asks the core). */
export function defs() {
  if (!loading) {
    loading = MettriApi.crm.defs({}).then((d) => (current = d));
    loading.catch(() => (loading = null)); // asked again next time
  }
  return loading;
}

/** The definitions already loaded, or null. */
export const loaded = () => current;

/** Ask the core again and tell every listener. */
export async function reloadDefs() {
  loading = null;
  const d = await defs();
  for (const fn of listeners) fn(d);
  return d;
}

/** @param {(defs: Defs) => void} fn */
export function onDefs(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

MettriCore.onEvent((e) => {
  if (e.event === "crm.changed" && (e.data.defs || e.data.many)) reloadDefs().catch(() => undefined);
});

/** @param {Defs} d @param {string} id */
export const tagOf = (d, id) => d.tags.find((t) => t.id === id) ?? null;
/** @param {Defs} d @param {string | null | undefined} id */
export const pipelineOf = (d, id) => d.pipelines.find((p) => p.id === (id ?? d.settings.default_pipeline)) ?? d.pipelines[0] ?? null;
/** @param {Defs} d @param {string} id */
export const fieldOf = (d, id) => d.fields.find((f) => f.id === id) ?? null;

/**
 * A stage by id in any pipeline, with its pipeline.
 * @param {Defs} d
 * @param {string} id
 * @returns {{ stage: Mettri.crm.CrmStage, pipeline: Mettri.crm.CrmPipeline } | null}
 */
export function stageOf(d, id) {
  for (const pipeline of d.pipelines) {
    const stage = pipeline.stages.find((s) => s.id === id);
    if (stage) return { stage, pipeline };
  }
  return null;
}

/** @param {Mettri.crm.CrmStage} s */
export const stageName = (s) => label(s.label);
/** @param {Mettri.crm.CrmPipeline} p */
export const pipelineName = (p) => label(p.label);
