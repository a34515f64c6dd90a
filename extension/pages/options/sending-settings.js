// @ts-check
// The send gate's settings: the recommended (safest) limits, what the user relaxed, and the
// hard ceilings no setting can pass (the core clamps and says why).
import { count } from "../sidepanel/dom.js";

const api = MettriApi;
const { t } = MettriI18n;

/** @typedef {Mettri.Result<"sending.settings.get">} SettingsResult */
/** @typedef {keyof Mettri.sending.SettingsPatch & keyof Mettri.sending.SendingSettings} SettingName */
/** @typedef {SettingsResult["ceilings"][number] | undefined} Ceiling */

/**
 * Settings the user edits here; warmup_started_at and honour_optouts are not editable.
 * @type {[name: SettingName, kind: "number" | "checkbox" | "select", options?: string[]][]}
 */
const FIELDS = [
  ["per_minute", "number"],
  ["per_hour", "number"],
  ["per_day", "number"],
  ["warmup", "checkbox"],
  ["warmup_start", "number"],
  ["warmup_days", "number"],
  ["unsolicited", "select", ["block", "warn"]],
  ["strangers_per_day", "number"],
  ["recipient_cooldown_s", "number"],
  ["bulk_per_hour", "number"],
  ["block_when_hidden", "checkbox"],
  ["schedule_tolerance_min", "number"],
];

/**
 * @param {string} name
 * @param {"number" | "checkbox" | "select"} kind
 * @param {unknown} value
 * @param {Ceiling} ceiling
 * @param {string[]} [options]
 */
function input(name, kind, value, ceiling, options = []) {
  /** @type {HTMLInputElement | HTMLSelectElement} */
  let el;
  if (kind === "select") {
    el = document.createElement("select");
    for (const opt of options) {
      const o = document.createElement("option");
      o.value = opt;
      o.textContent = t(`setting_${name}_${opt}`);
      el.append(o);
    }
    el.value = String(value);
  } else {
    el = document.createElement("input");
    el.type = kind;
    if (kind === "checkbox") el.checked = !!value;
    else {
      el.value = String(value);
      el.min = "0";
      if (ceiling?.side === "max") el.max = String(ceiling.bound);
    }
  }
  el.name = name;
  el.id = `setting-${name}`;
  return el;
}

/**
 * The hint beside a setting: the hard bound it cannot pass ("máximo permitido: 30").
 * @param {Ceiling} ceiling
 */
function ceilingHint(ceiling) {
  if (!ceiling) return "";
  const bound = count(ceiling.bound);
  return t(ceiling.side === "max" ? "ceilingMax" : "ceilingMin", [bound]);
}

/** @param {HTMLFormElement} form */
function read(form) {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const [name, kind] of FIELDS) {
    const el = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
    values[name] = kind === "checkbox" ? el.checked : kind === "number" ? Number(el.value) : el.value;
  }
  return /** @type {Mettri.sending.SettingsPatch} */ (values);
}

/** @param {HTMLElement} root */
export async function mountSendingSettings(root) {
  const { settings, at_defaults: recommended, ceilings } = await api.sending.settings.get({});
  /** @param {string} name */
  const ceilingOf = (name) => ceilings.find((c) => c.field === name);
  const form = document.createElement("form");
  const status = document.createElement("p");
  status.className = recommended ? "ok" : "warn";
  status.textContent = recommended ? t("settingsAtDefaults") : t("settingsRelaxed");
  const grid = document.createElement("div");
  grid.className = "settings";
  for (const [name, kind, options] of FIELDS) {
    const label = document.createElement("label");
    label.htmlFor = `setting-${name}`;
    label.textContent = t(`setting_${name}`);
    const field = input(name, kind, settings[name], ceilingOf(name), options);
    const hint = document.createElement("small");
    hint.textContent = ceilingHint(ceilingOf(name));
    grid.append(label, field, hint);
  }
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = t("save");
  const reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = t("restoreDefaults");
  const notes = document.createElement("ul");
  notes.className = "adjusted";
  form.append(status, grid, save, reset, notes);
  root.replaceChildren(form);

  /** @param {Mettri.Args<"sending.settings.set">} args */
  async function apply(args) {
    const result = await api.sending.settings.set(args);
    notes.replaceChildren(
      ...result.adjusted.map((a) => {
        const li = document.createElement("li");
        li.textContent = MettriI18n.pick(a.reason_pt, a.reason_en);
        return li;
      }),
    );
    status.className = result.at_defaults ? "ok" : "warn";
    status.textContent = result.at_defaults ? t("settingsAtDefaults") : t("settingsRelaxed");
    for (const [name, kind] of FIELDS) {
      const el = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
      if (kind === "checkbox") el.checked = !!result.settings[name];
      else el.value = String(result.settings[name]);
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply({ values: read(form) });
  });
  reset.addEventListener("click", () => apply({ reset: true }));
}
