// @ts-check
// One person under two keys (a LID and a number, a second number): the user merges two selected
// contacts (contacts.merge: the CRM card, notes, reminders and timeline of the second join the
// first) and splits them again (contacts.split gives back exactly what the merge took).
import { el, errorText, t } from "../sidepanel/dom.js";
import { ask } from "../crm/widgets.js";

/** @typedef {{ key: string, title: string }} Merged */

/** Each merged-into contact -> the contacts merged into it (the keys the user can split off). */
export async function mergedContacts() {
  const { contacts } = await MettriApi.contacts.list({ include_merged: true, limit: 10_000 });
  /** @type {Map<string, Merged[]>} */
  const out = new Map();
  for (const c of contacts) {
    if (!c.merged_into) continue;
    out.set(c.merged_into, [...(out.get(c.merged_into) ?? []), { key: c.key, title: c.title }]);
  }
  return out;
}

/**
 * Merge the two selected people, the first picked keeping its key and card.
 * @param {HTMLElement} host where the question goes
 * @param {Map<string, string>} selection key -> name, in the order picked
 * @param {(text: string) => void} done
 * @param {(text: string) => void} fail
 */
export async function mergeSelected(host, selection, done, fail) {
  const [[primary, first], [secondary, second]] = [...selection.entries()];
  if (!(await ask(host, t("contacts_mergeAsk", [first, second]), t("contacts_merge"), t("crmSettings_cancel")))) return;
  try {
    await MettriApi.contacts.merge({ primary, secondary, names: { [primary]: first, [secondary]: second } });
    done(t("contacts_merged", [second, first]));
  } catch (err) {
    fail(errorText(/** @type {Mettri.CallError} */ (err)));
  }
}

/**
 * A "split off" button per contact merged into ``row`` (none when nothing was merged into it).
 * @param {Mettri.crm.CrmRow} row
 * @param {Merged[]} merged
 * @param {HTMLElement} host where the question goes
 * @param {(text: string) => void} done
 * @param {(text: string) => void} fail
 */
export function splitButtons(row, merged, host, done, fail) {
  return merged.map((m) => el("button", { type: "button", class: "link split", dataset: { split: m.key },
    "aria-label": t("contacts_splitNamed", [m.title, row.name]), onclick: async () => {
      if (!(await ask(host, t("contacts_splitAsk", [m.title, row.name]), t("contacts_split"), t("crmSettings_cancel")))) return;
      try {
        await MettriApi.contacts.split({ key: m.key });
        done(t("contacts_splitDone", [m.title]));
      } catch (err) {
        fail(errorText(/** @type {Mettri.CallError} */ (err)));
      }
    } }, t("contacts_split")));
}
