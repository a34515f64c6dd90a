// @ts-check
// Importing a WhatsApp chat export: pick the file, see which chat it belongs to and who is who,
// confirm, see the preview, import with a progress bar and cancel; earlier imports can be
// resumed or rolled back. The side panel ("Importar" tab) and the full-tab page both mount it.
// Every name and message from the file is set as text, never parsed as HTML.
import { api, el, onEvent, t } from "../sidepanel/dom.js";
import { upload } from "./files.js";
import { day, errorText, filePicker, moment, num, progressBar, statusLine } from "./ui.js";

const DATA_PAGE = "extension/pages/data/data.html";

/** @typedef {Mettri.Result<"history_import.read">} Read */
/** @typedef {Mettri.Args<"history_import.start">} Plan */
/** @typedef {Mettri.history_import.ImportJob} Job */

/**
 * @param {HTMLElement} root
 * @param {{ fullPage?: boolean }} [options]
 */
export function mount(root, { fullPage = false } = {}) {
  const body = el("div", { id: "import-body" });
  const jobsList = el("ul", { id: "import-jobs", class: "jobs" });
  const jobsHeading = el("h3", { id: "import-jobs-heading", hidden: true }, t("impPrevious"));
  root.replaceChildren(
    el("h2", { id: "import-heading" }, t("impTitle")),
    body,
    el("section", { "aria-labelledby": "import-jobs-heading" }, jobsHeading, jobsList),
  );
  if (!fullPage) {
    const url = chrome.runtime.getURL(DATA_PAGE);
    root.append(el("p", { class: "links" },
      el("a", { href: url, target: "_blank", rel: "noopener" }, t("impFullPage")), " · ",
      el("a", { href: `${url}#privacy`, target: "_blank", rel: "noopener" }, t("dataLink"))));
  }
  /** @type {string | null} the job this view follows */
  let following = null;

  /** A new step: its heading takes the focus, so keyboard and screen-reader users follow.
   *  @param {...(Node | string | null | false)} children */
  const show = (...children) => {
    updateJob = null;
    body.replaceChildren(...children.filter((c) => c != null && c !== false).map((c) => /** @type {Node | string} */ (c)));
    const heading = body.querySelector("h3");
    if (heading instanceof HTMLElement && body.isConnected && !body.closest("[hidden]")) heading.focus();
  };

  function showPick() {
    following = null;
    updateJob = null;
    show(el("p", {}, t("impIntro")), filePicker("import-file", t("impPick"), ".txt,.zip,text/plain,application/zip", begin));
  }

  /** @param {File} file */
  async function begin(file) {
    const status = statusLine("import-status");
    const bar = progressBar("import-upload", t("impUploadLabel"));
    show(el("h3", { tabindex: "-1" }, file.name), bar, status);
    status.set(t("impUploading", ["0", num(file.size)]));
    try {
      const uploadId = await upload(file, "chat_export", (sent, total) => {
        bar.set(sent, total, t("impUploading", [num(sent), num(total)]));
        status.set(t("impUploading", [num(sent), num(total)]));
      });
      status.set(t("impReading"));
      await afterRead(await api.history_import.read({ upload_id: uploadId }, { timeoutMs: 300_000 }), null);
    } catch (err) {
      status.set(errorText(err), true);
      body.append(el("button", { type: "button", onclick: showPick }, t("impOtherFile")));
    }
  }

  /**
   * @param {Read} read
   * @param {"dmy" | "mdy" | null} order
   */
  async function afterRead(read, order) {
    if (read.problem || !read.summary) return showProblem(read);
    if (read.summary.needs_date_order) return showDateQuestion(read);
    return showProposal(read, order);
  }

  /** @param {Read} read */
  function showProblem(read) {
    const p = read.problem;
    show(
      el("h3", { tabindex: "-1" }, t("impProblem")),
      el("p", { class: "error", role: "alert", id: "import-problem", dataset: { code: p ? p.code : "" } },
        p ? MettriI18n.pick(p.message_pt, p.message_en) : ""),
      el("button", { type: "button", onclick: () => { void api.transfer.discard({ id: read.upload_id }); showPick(); } },
        t("impOtherFile")),
    );
  }

  /** @param {Read} read */
  function showDateQuestion(read) {
    const s = /** @type {Mettri.history_import.ExportSummary} */ (read.summary);
    const radio = (/** @type {string} */ value, /** @type {string} */ label) =>
      el("label", { class: "choice" }, el("input", { type: "radio", name: "date-order", value, checked: value === "dmy" }), " ", label);
    const status = statusLine("import-status");
    const go = async () => {
      const picked = /** @type {HTMLInputElement | null} */ (body.querySelector('input[name="date-order"]:checked'));
      const order = /** @type {"dmy" | "mdy"} */ (picked ? picked.value : "dmy");
      status.set(t("impReading"));
      try {
        await afterRead(await api.history_import.read({ upload_id: read.upload_id, date_order: order }, { timeoutMs: 300_000 }), order);
      } catch (err) {
        status.set(errorText(err), true);
      }
    };
    show(
      el("fieldset", { id: "import-date-order" },
        el("legend", {}, t("impDateQuestion")),
        el("p", { class: "muted" }, t("impDateExamples", [s.ambiguous_dates.join(", ")])),
        radio("dmy", t("impDmy")), radio("mdy", t("impMdy"))),
      el("button", { type: "button", id: "import-date-continue", onclick: go }, t("impContinue")),
      status,
    );
  }

  /**
   * @param {Read} read
   * @param {"dmy" | "mdy" | null} order
   */
  async function showProposal(read, order) {
    const s = /** @type {Mettri.history_import.ExportSummary} */ (read.summary);
    /** @type {{ chat: string, title: string, is_group: boolean }[]} */
    const options = [];
    const choices = el("fieldset", { id: "import-chat" }, el("legend", {}, t("impChatQuestion")));
    /**
     * @param {string} chat
     * @param {string} title
     * @param {boolean} isGroup
     * @param {string} label
     * @param {string} detail
     * @param {boolean} checked
     */
    const addChoice = (chat, title, isGroup, label, detail, checked) => {
      options.push({ chat, title, is_group: isGroup });
      choices.append(el("label", { class: "choice" },
        el("input", { type: "radio", name: "import-chat", value: String(options.length - 1), checked, dataset: { chat } }), " ",
        el("span", { class: "title" }, label), detail ? el("span", { class: "muted" }, ` · ${detail}`) : null));
    };
    read.candidates.forEach((c, i) => {
      const why = c.reasons.map((r) => t(`impReason_${r}`)).join(", ");
      const count = c.message_count ? t("impChatMessages", [num(c.message_count)]) : "";
      addChoice(c.chat, c.title, c.is_group, c.title, [why, count].filter(Boolean).join(" · "), i === 0);
    });
    if (!read.candidates.length) choices.append(el("p", { class: "muted" }, t("impNoCandidate")));
    if (read.new_chat) {
      const n = read.new_chat;
      addChoice(n.chat, n.title, n.is_group, t("impNewChat", [n.title]), "", !read.candidates.length);
    }
    // Any other chat Mettri knows: the list of chats, the same the side panel shows.
    const other = el("select", { id: "import-other-chat", "aria-label": t("impOtherChat") });
    const otherIndex = options.length;
    options.push({ chat: "", title: "", is_group: false });
    choices.append(el("label", { class: "choice" },
      el("input", { type: "radio", name: "import-chat", value: String(otherIndex), checked: options.length === 1 }), " ",
      t("impOtherChat")));
    const otherLabel = choices.lastElementChild;
    choices.append(other);
    const otherChoice = /** @type {HTMLElement} */ (otherLabel);
    otherChoice.hidden = other.hidden = true;  // shown once there are chats to pick from
    api.chats.list({ limit: 500, with_scanned: true }).then(({ chats }) => {
      other.replaceChildren(...chats.map((c) => el("option", { value: c.key, dataset: { group: c.is_group ? "1" : "" } }, c.title)));
      otherChoice.hidden = other.hidden = chats.length === 0;
    }).catch(() => undefined);

    const roles = s.looks_like_group ? ["me", "member"] : ["me", "contact"];
    const authors = el("fieldset", { id: "import-authors" }, el("legend", {}, t("impAuthorsQuestion")));
    const noMe = el("p", { class: "muted", id: "import-no-me" }, t("impNoMe"));
    const selects = s.authors.map((a, i) => {
      const select = el("select", { id: `import-author-${i}`, dataset: { name: a.name } },
        ...roles.map((r) => el("option", { value: r, selected: a.role === r }, t(`impRole_${r}`))));
      select.addEventListener("change", () => { noMe.hidden = selects.some((x) => x.value === "me"); });
      authors.append(el("div", { class: "author" },
        el("label", { for: `import-author-${i}` }, el("span", { class: "title" }, a.name), ` (${t("impAuthorCount", [num(a.count)])})`),
        select));
      return select;
    });
    noMe.hidden = selects.some((x) => x.value === "me");
    authors.append(noMe);

    const notes = [];
    if (s.attachments) notes.push(el("p", { class: "muted" }, t("impAttachments", [num(s.attachments)])));
    if (s.suspect_lines.length) notes.push(el("p", { class: "muted" }, t("impSuspect", [s.suspect_lines.map(num).join(", ")])));
    const status = statusLine("import-status");

    /** @returns {Plan | null} */
    const plan = () => {
      const picked = /** @type {HTMLInputElement | null} */ (choices.querySelector('input[name="import-chat"]:checked'));
      if (!picked) return null;
      let choice = options[Number(picked.value)];
      if (Number(picked.value) === otherIndex) {
        const opt = other.selectedOptions[0];
        if (!opt) return null;
        choice = { chat: opt.value, title: opt.textContent || opt.value, is_group: opt.dataset.group === "1" };
      }
      return {
        upload_id: read.upload_id, chat: choice.chat, chat_title: choice.title, is_group: choice.is_group || s.looks_like_group,
        authors: selects.map((x) => ({ name: x.dataset.name || "", role: /** @type {Mettri.history_import.Role} */ (x.value) })),
        date_order: order, utc_offset_min: -new Date().getTimezoneOffset(),
      };
    };
    const next = async () => {
      const p = plan();
      if (!p) return;
      status.set(t("impReading"));
      try {
        showPreview(await api.history_import.preview(p, { timeoutMs: 300_000 }), p, read, order);
      } catch (err) {
        status.set(errorText(err), true);
      }
    };
    show(
      el("h3", { tabindex: "-1", id: "import-file-name" }, s.file_name),
      el("p", { id: "import-summary" }, t("impSummary", [num(s.messages), day(s.first_local), day(s.last_local)])),
      ...notes, choices, authors,
      el("div", { class: "row" }, el("button", { type: "button", id: "import-preview", onclick: next }, t("impShowPreview"))),
      status,
    );
  }

  /**
   * @param {Mettri.history_import.ImportPreview} preview
   * @param {Plan} plan
   * @param {Read} read
   * @param {"dmy" | "mdy" | null} order
   */
  function showPreview(preview, plan, read, order) {
    /** @param {Mettri.history_import.PreviewMessage} m */
    const line = (m) => {
      const text = m.type === "deleted" ? t("impDeletedMessage")
        : m.type !== "text" && m.type !== "system" && !m.text ? t("impMedia") : m.text;
      const who = m.direction === "out" ? t("impRole_me") : m.author || "";
      return el("li", { class: m.direction }, el("span", { class: "when" }, moment(m.ts)), " ",
        who ? el("span", { class: "title" }, `${who}: `) : null, text);
    };
    const status = statusLine("import-status");
    const start = el("button", { type: "button", id: "import-start", disabled: preview.to_add === 0 },
      t("impStart", [num(preview.to_add)]));
    start.addEventListener("click", async () => {
      start.disabled = true;
      try {
        showJob(await api.history_import.start(plan, { timeoutMs: 300_000 }));
      } catch (err) {
        start.disabled = false;
        status.set(errorText(err), true);
      }
    });
    show(
      el("h3", { tabindex: "-1" }, t("impPreviewTitle")),
      el("p", { id: "import-counts", dataset: { add: String(preview.to_add), stored: String(preview.already_stored) } },
        t("impPreviewCounts", [num(preview.total), num(preview.to_add), num(preview.already_stored)])),
      el("p", { class: "muted" }, t("impPreviewKinds",
        [num(preview.incoming), num(preview.outgoing), num(preview.media), num(preview.deleted), num(preview.system)])),
      preview.to_add === 0 ? el("p", {}, t("impNothingToAdd")) : null,
      el("h4", {}, t("impFirst")), el("ol", { class: "preview" }, ...preview.first.map(line)),
      preview.last.length ? el("h4", {}, t("impLast")) : null,
      preview.last.length ? el("ol", { class: "preview" }, ...preview.last.map(line)) : null,
      el("div", { class: "row" }, start,
        el("button", { type: "button", onclick: () => showProposal(read, order) }, t("impBack"))),
      status,
    );
  }

  /** @type {((job: Job) => void) | null} redraws the job being followed in place */
  let updateJob = null;

  /** @param {Job} job */
  function showJob(job) {
    if (following === job.id && updateJob) return updateJob(job);
    following = job.id;
    const title = el("h3", { tabindex: "-1", id: "import-job-title" }, `${job.chat_title} · ${job.file_name}`);
    const bar = progressBar("import-progress", t("impProgressLabel"));
    const status = statusLine("import-status");
    const added = el("p", { id: "import-added" });
    const error = el("p", { class: "error", hidden: true });
    const row = el("div", { class: "row" });
    /** @param {Job} j */
    const update = (j) => {
      const text = t("impProgress", [num(j.done), num(j.total)]);
      title.dataset.state = j.state;
      bar.set(j.done, j.total, text);
      status.set(`${t(`impState_${j.state}`)} · ${text}`, j.state === "failed");
      added.textContent = t("impAdded", [num(j.added), num(j.already_stored)]);
      error.hidden = !j.error;
      error.textContent = j.error ? t("impError", [j.error]) : "";
      const focused = document.activeElement && row.contains(document.activeElement) ? document.activeElement.id : null;
      row.replaceChildren(...jobButtons(j, true));
      const again = focused ? document.getElementById(focused) : null;
      if (again) again.focus();
    };
    show(title, bar, status, added, error, row);
    updateJob = update;
    update(job);
  }

  /**
   * @param {Job} job
   * @param {boolean} main
   */
  function jobButtons(job, main) {
    const act = (/** @type {() => Promise<Job>} */ call) => async () => {
      try {
        const after = await call();
        if (main) showJob(after);
        await refreshJobs();
      } catch (err) {
        const status = body.querySelector("#import-status");
        if (status) status.textContent = errorText(err);
      }
    };
    const out = [];
    const suffix = main ? "" : `-${job.id}`;
    if (job.state === "running") {
      out.push(el("button", { type: "button", id: `import-cancel${suffix}`, onclick: act(() => api.history_import.cancel({ job_id: job.id })) },
        t("impCancel")));
    }
    if (job.can_resume) {
      out.push(el("button", { type: "button", id: `import-resume${suffix}`, onclick: act(() => api.history_import.resume({ job_id: job.id })) },
        t("impResume")));
    }
    if (job.can_roll_back) {
      out.push(el("button", { type: "button", id: `import-rollback${suffix}`, onclick: act(() => api.history_import.rollback({ job_id: job.id })) },
        t("impRollback")));
    }
    if (main && job.state !== "running" && job.state !== "rolling_back") {
      out.push(el("button", { type: "button", id: "import-another", onclick: showPick }, t("impAnother")));
    }
    return out;
  }

  async function refreshJobs() {
    try {
      const { jobs } = await api.history_import.jobs({ limit: 10 });
      jobsHeading.hidden = jobs.length === 0;
      jobsList.replaceChildren(...jobs.map((j) => el("li", { dataset: { job: j.id, state: j.state } },
        el("span", { class: "title" }, j.chat_title), " · ", el("span", {}, j.file_name), el("br"),
        el("span", { class: "muted" }, `${t(`impState_${j.state}`)} · ${t("impAdded", [num(j.added), num(j.already_stored)])}`),
        j.id === following ? null : el("span", { class: "row" }, ...jobButtons(j, false)))));
    } catch (err) {
      console.warn("mettri: import list", err);
    }
  }

  /** @type {ReturnType<typeof setTimeout> | null} */
  let listTimer = null;
  onEvent((env) => {
    if (env.event !== "history_import.progress") return;
    const job = env.data.job;
    if (job.id === following) showJob(job);
    if (!listTimer) listTimer = setTimeout(() => { listTimer = null; void refreshJobs(); }, 300);
  });
  showPick();
  void refreshJobs();
  return { refresh: refreshJobs };
}
