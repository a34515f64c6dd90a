// @ts-check
// The "your data" page's LGPD part: the whole archive out and back in, one person's data out and
// erased, everything erased (typed confirmation), and how long audit and consent records are kept.
// Names come from WhatsApp and are set as text, never parsed as HTML.
import { api, el, t } from "../sidepanel/dom.js";
import { fetchPrepared, saveBlob, upload } from "./files.js";
import { errorText, filePicker, moment, num, statusLine } from "./ui.js";

/** @param {Mettri.transfers.TransferInfo} info @param {ReturnType<typeof statusLine>} status */
async function save(info, status) {
  saveBlob(await fetchPrepared(info), info.name);
  status.set(t("privSaved", [info.name]));
}

/** @param {Mettri.privacy.PartCount[]} parts */
function partList(parts) {
  return el("ul", { class: "parts", id: "privacy-person-parts" }, ...parts.filter((p) => p.records > 0).map((p) => {
    const key = `privPart_${p.part}`;
    const label = t(key) === key ? t("privPartOther") : t(key);
    return el("li", { dataset: { part: p.part } }, `${label}: ${num(p.records)}`);
  }));
}

/** @param {HTMLElement} root */
export function mount(root) {
  root.replaceChildren(
    el("h2", { id: "privacy-heading" }, t("privBackupTitle")),
    backup(),
    person(),
    eraseAll(),
    retention(),
  );
}

function backup() {
  const status = statusLine("privacy-backup-status");
  const run = (/** @type {() => Promise<Mettri.transfers.TransferInfo>} */ prepare) => async () => {
    status.set(t("privPreparing"));
    try {
      await save(await prepare(), status);
    } catch (err) {
      status.set(errorText(err), true);
    }
  };
  const restore = async (/** @type {File} */ file) => {
    status.set(t("privPreparing"));
    try {
      const id = await upload(file, "archive");
      const reply = await api.privacy.restore({ upload_id: id }, { timeoutMs: 600_000 });
      if (reply.problem) return status.set(MettriI18n.pick(reply.problem.message_pt, reply.problem.message_en), true);
      const total = (reply.result ? reply.result.parts : []).reduce((n, p) => n + p.records, 0);
      status.set(t("privRestored", [num(total)]));
      await MettriCore.restartCore();
    } catch (err) {
      status.set(errorText(err), true);
    }
  };
  return el("div", { id: "privacy-backup" },
    el("p", {}, t("privBackupIntro")),
    el("div", { class: "row" },
      el("button", { type: "button", id: "privacy-export", onclick: run(() => api.privacy.export({}, { timeoutMs: 600_000 })) },
        t("privExport")),
      el("button", { type: "button", id: "privacy-export-contacts", onclick: run(() => api.privacy.export_contacts({})) },
        t("privExportContacts"))),
    filePicker("privacy-restore", t("privRestore"), ".zip,application/zip", restore),
    el("p", { class: "muted" }, t("privRestoreIntro")),
    status,
  );
}

function person() {
  const filter = el("input", { type: "search", id: "privacy-filter" });
  const select = el("select", { id: "privacy-person", size: 6, class: "person-list" });
  const details = el("div", { id: "privacy-person-details" });
  const status = statusLine("privacy-person-status");
  /** @type {Mettri.records.ChatRecord[]} */
  let chats = [];
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    select.replaceChildren(...chats.filter((c) => !c.is_group && (!q || c.title.toLowerCase().includes(q) || c.key.includes(q)))
      .slice(0, 300).map((c) => el("option", { value: c.key }, c.title)));
  };
  const load = async () => {
    try {
      chats = (await api.chats.list({ limit: 5000, with_scanned: true })).chats;
      draw();
    } catch (err) {
      status.set(errorText(err), true);
    }
  };
  filter.addEventListener("input", draw);
  select.addEventListener("change", async () => {
    const chat = select.value;
    if (!chat) return;
    status.set("");
    try {
      const s = await api.privacy.person({ chat });
      const erase = el("button", { type: "button", id: "privacy-erase-person", class: "danger" }, t("privPersonErase"));
      erase.addEventListener("click", () => {
        const yes = el("button", { type: "button", id: "privacy-erase-yes", class: "danger" }, t("privYesErase"));
        const no = el("button", { type: "button" }, t("impBack"));
        const box = el("div", { role: "alertdialog", "aria-labelledby": "privacy-confirm-text", id: "privacy-confirm" },
          el("p", { id: "privacy-confirm-text" }, t("privPersonEraseConfirm", [s.title])), el("div", { class: "row" }, yes, no));
        no.addEventListener("click", () => { box.remove(); erase.focus(); });
        yes.addEventListener("click", async () => {
          yes.disabled = true;
          status.set(t("privErasing", [s.title])); // at a million messages it takes seconds
          try {
            await api.privacy.erase_person({ chat, confirm: true }, { timeoutMs: 600_000 });
            details.replaceChildren();
            status.set(t("privPersonErased", [s.title]));
            await load();
          } catch (err) {
            status.set(errorText(err), true);
          }
        });
        erase.after(box);
        yes.focus();
      });
      details.replaceChildren(
        el("p", {}, t("privPersonHolds", [s.title])), partList(s.parts),
        el("div", { class: "row" },
          el("button", { type: "button", id: "privacy-person-export", onclick: async () => {
            try { await save(await api.privacy.person_export({ chat }, { timeoutMs: 600_000 }), status); } catch (err) { status.set(errorText(err), true); }
          } }, t("privPersonExport")),
          erase),
      );
    } catch (err) {
      status.set(errorText(err), true);
    }
  });
  void load();
  return el("section", { id: "privacy-person-section", "aria-labelledby": "privacy-person-heading" },
    el("h2", { id: "privacy-person-heading" }, t("privPersonTitle")),
    el("p", {}, t("privPersonIntro")),
    el("p", {}, el("label", { for: "privacy-filter" }, t("privPersonFilter")), " ", filter),
    el("p", {}, el("label", { for: "privacy-person" }, t("privPersonPick")), el("br"), select),
    details, status);
}

function eraseAll() {
  const word = el("input", { type: "text", id: "privacy-erase-word", autocomplete: "off", spellcheck: "false" });
  const button = el("button", { type: "button", id: "privacy-erase-all", class: "danger", disabled: true }, t("privAllButton"));
  const status = statusLine("privacy-erase-status");
  word.addEventListener("input", () => {
    button.disabled = word.value.trim().toUpperCase() !== t("privAllWord");
  });
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.set(t("privErasingAll"));
    try {
      await api.privacy.erase_all({ confirm: word.value }, { timeoutMs: 600_000 });
      status.set(t("privAllDone"));
      word.value = "";
      await MettriCore.restartCore();
    } catch (err) {
      status.set(errorText(err), true);
    }
  });
  return el("section", { id: "privacy-erase-section", "aria-labelledby": "privacy-erase-heading" },
    el("h2", { id: "privacy-erase-heading" }, t("privAllTitle")),
    el("p", {}, t("privAllIntro")),
    el("p", {}, el("label", { for: "privacy-erase-word" }, t("privAllType")), el("br"), word),
    button, status);
}

// The core's bounds, from the protocol generated from its models (privacy.set_retention).
const { minimum: RETENTION_MIN, maximum: RETENTION_MAX } = MettriProtocol.privacy.bounds.SetRetention.retention_days;

function retention() {
  const days = el("input", { type: "number", id: "privacy-retention", min: String(RETENTION_MIN), max: String(RETENTION_MAX), step: "1" });
  const status = statusLine("privacy-retention-status");
  /** @param {Mettri.privacy.PrivacySettings} s */
  const draw = (s) => {
    days.value = String(s.retention_days);
    status.set(t("privRetentionState", [num(s.retention_days), s.last_pruned_at ? moment(s.last_pruned_at) : t("privNever"),
      num(s.last_pruned)]));
  };
  const saveButton = el("button", { type: "button", id: "privacy-retention-save" }, t("privRetentionSave"));
  saveButton.addEventListener("click", async () => {
    try {
      draw(await api.privacy.set_retention({ retention_days: Number(days.value) }));
    } catch (err) {
      status.set(errorText(err), true);
    }
  });
  api.privacy.settings({}).then(draw, (err) => status.set(errorText(err), true));
  return el("section", { id: "privacy-retention-section", "aria-labelledby": "privacy-retention-heading" },
    el("h2", { id: "privacy-retention-heading" }, t("privRetentionTitle")),
    el("p", {}, t("privRetentionIntro")),
    el("p", {}, el("label", { for: "privacy-retention" }, t("privRetentionDays", [num(RETENTION_MIN), num(RETENTION_MAX)])), " ", days, " ", saveButton),
    status);
}
