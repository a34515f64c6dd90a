// @ts-check
// What a card section receives: the card, the definitions, and the ways to write that keep
// the record's version (see ../write.js). Sections are separate modules that plug in with
// registerCardSection (card.js): another feature adds its own without touching these.
import { errorText, t } from "../../sidepanel/dom.js";
import { lang, money, day, label } from "../format.js";
import { fieldOf, pipelineOf, stageOf, stageName, tagOf } from "../defs.js";
import { writeWithVersion } from "../write.js";
import { ask } from "../widgets.js";

/**
 * @typedef {Mettri.crm.CrmCard} Card
 * @typedef {Mettri.crm.CrmRow} Row
 * @typedef {Mettri.crm.CrmDefs} Defs
 * @typedef {{ person_name?: string, add_tags?: string[], remove_tags?: string[], fields?: { [id: string]: string | number | null } }} RecordChange
 * @typedef {{ pipeline: string, stage?: string, value?: string, expected_date?: string }} DealChange
 * @typedef {{
 *   card: Card,
 *   defs: Defs,
 *   root: HTMLElement,
 *   setRow: (row: Row) => void,
 *   reload: () => Promise<void>,
 *   say: (text: string, undo?: (() => void) | null) => void,
 *   fail: (err: unknown, field?: string) => string,
 *   updateRecord: (change: RecordChange) => Promise<Row | null>,
 *   setDeal: (change: DealChange) => Promise<Row | null>,
 *   removeDeal: (pipeline: string) => Promise<Row | null>,
 *   followsWhatsApp: boolean,
 * }} CardContext
 */

/** @param {Row} row @param {string} pipeline */
export const dealIn = (row, pipeline) => row.deals.find((d) => d.pipeline === pipeline) ?? null;

/**
 * How a changed attribute reads now, for the question "keep yours?".
 * @param {Defs} defs
 * @param {Row} now
 * @param {RecordChange} change
 * @returns {[string, string]}
 */
function recordChangeNow(defs, now, change) {
  if (change.person_name !== undefined) return [t("card_name"), now.name];
  for (const id of Object.keys(change.fields ?? {})) {
    const f = fieldOf(defs, id);
    const v = now.fields[id];
    return [f ? f.label : t("card_field"), v == null || v === "" ? t("card_empty") : String(v)];
  }
  return [t("card_record"), now.name];
}

/**
 * @param {{
 *   card: () => Card,
 *   defs: () => Defs,
 *   root: HTMLElement,
 *   asks: HTMLElement,
 *   setRow: (row: Row) => void,
 *   retried?: () => void,
 * }} o
 */
export function writers(o) {
  const chat = () => o.card().row.key;

  /** @param {string} what @param {string} theirs */
  const askKeep = (what, theirs) =>
    ask(o.asks, t("card_conflictAsk", [what, theirs]), t("card_conflictMine"), t("card_conflictTheirs"));

  /** @param {RecordChange} change */
  async function updateRecord(change) {
    const row = await writeWithVersion({
      base: o.card().row,
      version: (r) => r.version,
      send: (version) => MettriApi.crm.record.update({ chat: chat(), version, lang, ...change }),
      same: (base, now) =>
        (change.person_name === undefined || base.name === now.name) &&
        Object.keys(change.fields ?? {}).every((id) => (base.fields[id] ?? null) === (now.fields[id] ?? null)),
      ask: (now) => askKeep(...recordChangeNow(o.defs(), now, change)),
      adopt: (now) => o.setRow(now),
      retried: () => o.retried?.(),
    });
    if (row) o.setRow(row);
    return row;
  }

  /** @param {DealChange} change */
  async function setDeal(change) {
    /** @param {Row} r */
    const deal = (r) => dealIn(r, change.pipeline);
    const row = await writeWithVersion({
      base: o.card().row,
      version: (r) => r.version,
      send: (version) => MettriApi.crm.deal.set({ chat: chat(), version, lang, ...change }),
      same: (base, now) => {
        const a = deal(base);
        const b = deal(now);
        if (change.stage !== undefined && (a?.stage ?? null) !== (b?.stage ?? null)) return false;
        if (change.value !== undefined && (a?.value_cents ?? null) !== (b?.value_cents ?? null)) return false;
        if (change.expected_date !== undefined && (a?.expected_date ?? null) !== (b?.expected_date ?? null)) return false;
        return true;
      },
      ask: (now) => {
        const d = deal(now);
        const found = d ? stageOf(o.defs(), d.stage) : null;
        const what = change.stage !== undefined ? t("card_stage") : change.value !== undefined ? t("card_value") : t("card_expectedDate");
        const theirs = !d ? t("card_noDeal")
          : change.stage !== undefined ? (found ? stageName(found.stage) : t("card_empty"))
          : change.value !== undefined ? (d.value_cents == null ? t("card_empty") : money(d.value_cents))
          : (d.expected_date ? day(d.expected_date) : t("card_empty"));
        return askKeep(what, theirs);
      },
      adopt: (now) => o.setRow(now),
      retried: () => o.retried?.(),
    });
    if (row) o.setRow(row);
    return row;
  }

  /** @param {string} pipeline */
  async function removeDeal(pipeline) {
    const row = await writeWithVersion({
      base: o.card().row,
      version: (r) => r.version,
      send: (version) => MettriApi.crm.deal.remove({ chat: chat(), version, pipeline }),
      same: (base, now) => (dealIn(base, pipeline)?.stage ?? null) === (dealIn(now, pipeline)?.stage ?? null),
      ask: (now) => {
        const d = dealIn(now, pipeline);
        const found = d ? stageOf(o.defs(), d.stage) : null;
        return askKeep(t("card_stage"), found ? stageName(found.stage) : t("card_noDeal"));
      },
      adopt: (now) => o.setRow(now),
      retried: () => o.retried?.(),
    });
    if (row) o.setRow(row);
    return row;
  }

  return { updateRecord, setDeal, removeDeal };
}

/**
 * The text of a refusal, and the field it is about (custom field errors name it).
 * @param {unknown} err
 */
export function refusal(err) {
  const e = /** @type {Mettri.CallError} */ (err);
  if (!e || typeof e !== "object" || !("code" in e)) return { text: t("card_failed"), field: null };
  const d = e.details?.[0];
  const field = d && typeof d.field === "string" ? d.field : null;
  return { text: errorText(e), field };
}

export { pipelineOf, tagOf, label };
