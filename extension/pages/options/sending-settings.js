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
      if (ceiling && ceiling.side === "max") el.max = String(ceiling.bound);
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
  const { settings, at_defaults: safe, ceilings } = await call("sending.settings.get");
  const ceilingOf = (name) => ceilings.find((c) => c.field === name);
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const form = document.createElement("form");
  const status = document.createElement("p");
  status.className = safe ? "ok" : "warn";
  status.textContent = safe ? t("settingsAtDefaults") : t("settingsRelaxed");
  const grid = document.createElement("div");
  grid.className = "settings";
  for (const [name, kind, options] of FIELDS) {
    const label = document.createElement("label");
    label.htmlFor = `setting-${name}`;
    label.textContent = t(`setting_${name}`);
    const ceiling = ceilingOf(name);
    const field = input(name, kind, settings[name], ceiling, options);
    const hint = document.createElement("small");
    if (ceiling) hint.textContent = t(ceiling.side === "max" ? "ceilingMax" : "ceilingMin", [number.format(ceiling.bound)]);
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

  async function apply(args) {
    const result = await call("sending.settings.set", args);
    notes.replaceChildren(
      ...result.adjusted.map((a) => {
        const li = document.createElement("li");
        li.textContent = globalThis.MettriI18n.pick(a.reason_pt, a.reason_en);
        return li;
      }),
    );
    status.className = result.at_defaults ? "ok" : "warn";
    status.textContent = result.at_defaults ? t("settingsAtDefaults") : t("settingsRelaxed");
    for (const [name, kind] of FIELDS) {
      const el = form.elements[name];
      if (kind === "checkbox") el.checked = !!result.settings[name];
      else el.value = result.settings[name];
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply({ values: read(form) });
  });
  reset.addEventListener("click", () => apply({ reset: true }));
}
