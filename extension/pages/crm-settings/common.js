// @ts-check
// What the CRM settings sections share: one place that says what happened (saved, refused, or
// changed meanwhile by another window), and a redraw that keeps what the user is typing.
import { byId, errorText, t } from "../sidepanel/dom.js";
import { reloadDefs } from "../crm/defs.js";

const main = byId("crm-settings");
const status = byId("cs-status");
const errorEl = byId("cs-error");
let saves = 0;

/** A core refusal's reason code ("stage_in_use", "field_in_use", ...), or "". @param {unknown} err */
export function reasonOf(err) {
  const d = /** @type {Mettri.CallError} */ (err)?.details?.[0];
  return d && typeof d === "object" && typeof d.reason === "string" ? d.reason : "";
}

/**
 * Run one write; say "saved" (or the refusal, in the page's language) and reload the definitions.
 * A stale version (another window saved first) reloads what is stored now and says so; nothing
 * the other window wrote is overwritten. ``onRefusal`` may handle a refusal itself (return true).
 * Each settled write bumps <main data-saves> (tests wait on it).
 * @template R
 * @param {() => Promise<R>} write
 * @param {{ done?: string | ((result: R) => string), onRefusal?: (err: unknown) => Promise<boolean> | boolean, form?: HTMLElement }} [o]
 *   ``form``: the definition's form, no longer "being edited" once saved or found stale (see drawKeyed)
 * @returns {Promise<R | null>}
 */
export async function save(write, o = {}) {
  errorEl.textContent = "";
  status.textContent = t("crmSettings_saving");
  try {
    const result = await write();
    if (o.form) delete o.form.dataset.dirty;
    status.textContent = typeof o.done === "function" ? o.done(result) : o.done ?? t("card_saved");
    await reloadDefs();
    return result;
  } catch (err) {
    status.textContent = "";
    const e = /** @type {Mettri.CallError} */ (err);
    if (e?.code === "conflict") {
      if (o.form) delete o.form.dataset.dirty; // what is stored now replaces it
      errorEl.textContent = t("crmSettings_conflict");
      await reloadDefs().catch(() => undefined);
    } else if (!(o.onRefusal && (await o.onRefusal(err)))) {
      errorEl.textContent = e && typeof e === "object" && "code" in e ? errorText(e) : t("card_failed");
    }
    return null;
  } finally {
    main.dataset.saves = String(++saves);
  }
}

/**
 * Draw a list of definitions into ``host`` keeping each one's node while its version is the
 * same: a redraw caused by another definition's save never wipes what the user is typing. A form
 * the user has typed in (data-dirty) is kept even when another window changed that definition:
 * saving it then meets the newer version, and the page says so and shows what is stored.
 * @template {{ id: string, version: number }} D
 * @param {HTMLElement} host
 * @param {D[]} items
 * @param {(item: D) => HTMLElement} draw
 */
export function drawKeyed(host, items, draw) {
  /** @type {Map<string, HTMLElement>} */
  const old = new Map();
  for (const node of /** @type {HTMLElement[]} */ ([...host.children])) old.set(node.dataset.id ?? "", node);
  host.replaceChildren(...items.map((item) => {
    const kept = old.get(item.id);
    if (kept && (kept.dataset.version === String(item.version) || kept.dataset.dirty)) return kept;
    const node = draw(item);
    node.dataset.id = item.id;
    node.dataset.version = String(item.version);
    node.addEventListener("input", () => (node.dataset.dirty = "1"));
    return node;
  }));
}
