// The send gate's settings: the safe defaults, what the user relaxed, and the hard
// ceilings no setting can pass (the core clamps and says why).
const { call } = globalThis.MettriCore;
const { t } = globalThis.MettriI18n;

// Settings the user edits here; warmup_started_at and honour_optouts are not editable.
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
];

function input(name, kind, value, ceiling, options) {
  let el;
  if (kind === "select") {
    el = document.createElement("select");
    for (const opt of options) {
      const o = document.createElement("option");
      o.value = opt;
      o.textContent = t(`setting_${name}_${opt}`);
      el.append(o);
    }
    el.value = value;
  } else {
    el = document.createElement("input");
    el.type = kind;
    if (kind === "checkbox") el.checked = !!value;
    else {
      el.value = value;
      el.min = "0";
      if (ceiling && ceiling[1] === "max") el.max = String(ceiling[0]);
    }
  }
  el.name = name;
  el.id = `setting-${name}`;
  return el;
}

function read(form) {
  const values = {};
  for (const [name, kind] of FIELDS) {
    const el = form.elements[name];
    values[name] = kind === "checkbox" ? el.checked : kind === "number" ? Number(el.value) : el.value;
  }
  return values;
}

export async function mountSendingSettings(root) {
  const { settings, safe_mode: safe, ceilings } = await call("sending.settings.get");
  const form = document.createElement("form");
  const status = document.createElement("p");
  status.className = safe ? "ok" : "warn";
  status.textContent = safe ? t("settingsSafe") : t("settingsRelaxed");
  const grid = document.createElement("div");
  grid.className = "settings";
  for (const [name, kind, options] of FIELDS) {
    const label = document.createElement("label");
    label.htmlFor = `setting-${name}`;
    label.textContent = t(`setting_${name}`);
    const field = input(name, kind, settings[name], ceilings[name], options);
    const hint = document.createElement("small");
    if (ceilings[name]) hint.textContent = t(ceilings[name][1] === "max" ? "ceilingMax" : "ceilingMin", [String(ceilings[name][0])]);
    grid.append(label, field, hint);
  }
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = t("save");
  const reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = t("restoreSafeMode");
  const notes = document.createElement("ul");
  notes.className = "adjusted";
  form.append(status, grid, save, reset, notes);
  root.replaceChildren(form);

  async function apply(values) {
    const result = await call("sending.settings.set", { values });
    notes.replaceChildren(
      ...result.adjusted.map((a) => {
        const li = document.createElement("li");
        li.textContent = globalThis.MettriI18n.pick(a.reason_pt, a.reason_en);
        return li;
      }),
    );
    status.className = result.safe_mode ? "ok" : "warn";
    status.textContent = result.safe_mode ? t("settingsSafe") : t("settingsRelaxed");
    for (const [name, kind] of FIELDS) {
      const el = form.elements[name];
      if (kind === "checkbox") el.checked = !!result.settings[name];
      else el.value = result.settings[name];
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply(read(form));
  });
  reset.addEventListener("click", () => apply({ safe_mode: true }));
}
