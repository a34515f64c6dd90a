// @ts-check
// The side panel's search: a debounced search box, filters, contacts, and
// message hits grouped by chat with highlighted snippets and paging. Choosing a
// hit asks the core (chat.open) to open that chat at the message in WhatsApp Web. CRM hits (notes,
// custom field values) open the record's card; tag and stage filters narrow both.
// Text from messages is only ever set as text nodes; highlights are <mark>
// elements built with createElement (never innerHTML).
import { api, count, el, fmtTime, onEvent, t, tn, when } from "./dom.js";
import { defs, onDefs, pipelineName, stageName } from "../crm/defs.js";

const DEBOUNCE_MS = 180;
const PAGE = 20;
const SLOW_MS = 500; // an answer slower than this shows "Buscando…"
const DAY = 86400;
/** @type {[Mettri.records.Direction, string][]} direction filter: value, label */
const DIRECTIONS = [["in", "searchDirIn"], ["out", "searchDirOut"]];
/** @type {[Mettri.search.TypeFilter, string][]} type filter: value, label */
const TYPES = [["text", "searchTypeText"], ["media", "searchTypeMedia"], ["voice", "searchTypeVoice"], ["document", "searchTypeDocument"]];

/**
 * Snippet segments [{text, hit}] -> text nodes and <mark> elements.
 * @param {Mettri.search.Segment[]} segments
 */
export function renderSegments(segments) {
  const frag = document.createDocumentFragment();
  for (const s of segments) frag.append(s.hit ? el("mark", {}, s.text) : document.createTextNode(s.text));
  return frag;
}

/**
 * @param {string} value
 * @param {string} key
 */
function option(value, key) {
  return el("option", { value }, t(key));
}

/**
 * @param {string} key
 * @param {HTMLElement} control
 */
function labelled(key, control) {
  return el("label", { class: "field" }, el("span", {}, t(key)), control);
}

/**
 * @param {string} value
 * @param {boolean} endOfDay
 */
function dateToTs(value, endOfDay) {
  if (!value) return null;
  const [y, m, d] = value.split("-").map(Number);
  const ts = new Date(y, m - 1, d).getTime() / 1000; // the user's local day
  return endOfDay ? ts + DAY - 1 : ts;
}

/** @param {HTMLElement} root */
export function mount(root) {
  const q = el("input", { type: "search", id: "search-q", placeholder: t("searchPlaceholder"), "aria-label": t("searchLabel"), autocomplete: "off" });
  const chatName = el("input", { type: "text", id: "search-chat", autocomplete: "off" });
  const since = el("input", { type: "date", id: "search-since" });
  const until = el("input", { type: "date", id: "search-until" });
  const direction = el("select", { id: "search-direction" },
    option("", "searchDirAny"), DIRECTIONS.map(([value, key]) => option(value, key)));
  const type = el("select", { id: "search-type" },
    option("", "searchTypeAny"), TYPES.map(([value, key]) => option(value, key)));
  // CRM filters: people with a tag / with a deal in a stage (messages and CRM hits alike).
  const tag = el("select", { id: "search-tag" }, option("", "card_searchTagAny"));
  const stage = el("select", { id: "search-stage" }, option("", "card_searchStageAny"));
  /** @param {Mettri.crm.CrmDefs} d */
  const fillCrm = (d) => {
    const [tagNow, stageNow] = [tag.value, stage.value];
    tag.replaceChildren(option("", "card_searchTagAny"), ...d.tags.map((x) => el("option", { value: x.id, selected: x.id === tagNow }, x.name)));
    stage.replaceChildren(option("", "card_searchStageAny"), ...d.pipelines.map((p) =>
      el("optgroup", { label: pipelineName(p) }, p.stages.map((x) => el("option", { value: x.id, selected: x.id === stageNow }, stageName(x))))));
  };
  defs().then(fillCrm, () => undefined);
  onDefs(fillCrm);
  const filters = el("details", { class: "search-filters" }, el("summary", {}, t("searchFilters")),
    labelled("searchChatName", chatName), labelled("searchSince", since), labelled("searchUntil", until),
    labelled("searchDirection", direction), labelled("searchType", type),
    labelled("card_searchTag", tag), labelled("card_searchStage", stage));
  const summary = el("p", { id: "search-summary", class: "search-summary", role: "status", "aria-live": "polite" });
  const progress = el("p", { id: "search-progress", class: "search-progress", hidden: true });
  const contacts = el("section", { id: "search-contacts", hidden: true }, el("h3", {}, t("searchContacts")), el("ul", { class: "list" }));
  const records = el("section", { id: "search-records", hidden: true }, el("h3", {}, t("card_searchRecords")), el("ul", { class: "list" }));
  const results = el("section", { id: "search-results" });
  const prev = el("button", { type: "button", id: "search-prev" }, t("searchPrev"));
  const next = el("button", { type: "button", id: "search-next" }, t("searchNext"));
  const pageLabel = el("span", { id: "search-page" });
  const pager = el("nav", { class: "search-pager", hidden: true }, prev, pageLabel, next);
  root.replaceChildren(el("div", { class: "search-box" }, q), filters, progress, summary, contacts, records, results, pager);
  const css = el("link", { rel: "stylesheet", href: "search-view.css" });
  document.head.append(css);

  let offset = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let ticket = 0; // answers to superseded queries are dropped

  /** @returns {Mettri.Args<"search.messages"> & { q: string, filters: Mettri.search.SearchFilters }} */
  function args() {
    /** @type {Mettri.search.SearchFilters} */
    const f = {};
    if (chatName.value.trim()) f.chat_name = chatName.value.trim();
    const s = dateToTs(since.value, false);
    const u = dateToTs(until.value, true);
    if (s !== null) f.since = s;
    if (u !== null) f.until = u;
    const dir = DIRECTIONS.find(([value]) => value === direction.value);
    const kind = TYPES.find(([value]) => value === type.value);
    if (dir) f.direction = dir[0];
    if (kind) f.types = [kind[0]];
    if (tag.value) f.tags = [tag.value];
    if (stage.value) f.stages = [stage.value];
    return { q: q.value, filters: f, limit: PAGE, offset };
  }

  async function run() {
    const mine = ++ticket;
    const a = args();
    if (!a.q.trim() && !Object.keys(a.filters).length) {
      summary.textContent = "";
      results.replaceChildren();
      contacts.hidden = true;
      records.hidden = true;
      pager.hidden = true;
      return;
    }
    try {
      // Both asked at once; the core answers in order, so the hits (what the user
      // is after) are drawn as soon as they arrive, the matching contacts right after.
      const found = api.search.messages(a);
      /** @type {Promise<{ hits: Mettri.search.ContactHit[] }>} */
      const people = a.q.trim() && offset === 0 ? api.search.contacts({ q: a.q.trim(), limit: 5 }) : Promise.resolve({ hits: [] });
      people.catch(() => {}); // a failure is reported below, once
      // CRM notes and field values (first page only), with the same tag / stage filters.
      /** @type {Promise<{ hits: Mettri.search.RecordHit[] }>} */
      const crm = a.q.trim() && offset === 0
        ? api.search.records({ q: a.q.trim(), limit: 5, tags: a.filters.tags ?? null, stages: a.filters.stages ?? null })
        : Promise.resolve({ hits: [] });
      crm.catch(() => {});
      // A slow answer (the core still loading the index after a browser start) says it is coming.
      const slow = setTimeout(() => mine === ticket && (summary.textContent = t("searchRunning")), SLOW_MS);
      const hits = await found.finally(() => clearTimeout(slow));
      if (mine !== ticket) return;
      renderHits(hits);
      const contactHits = (await people).hits;
      if (mine !== ticket) return;
      renderContacts(contactHits);
      const recordHits = (await crm).hits;
      if (mine !== ticket) return;
      renderRecords(recordHits);
    } catch (err) {
      if (mine !== ticket) return;
      summary.textContent = t("searchFailed");
      console.warn("mettri: search failed", err);
    }
  }

  /** @param {boolean} [resetPage] */
  function schedule(resetPage = true) {
    if (resetPage) offset = 0;
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  /** @param {Mettri.search.ContactHit[]} hits */
  function renderContacts(hits) {
    const list = /** @type {HTMLUListElement} */ (contacts.querySelector("ul"));
    contacts.hidden = hits.length === 0;
    list.replaceChildren(...hits.map((h) => {
      const li = el("li", { tabIndex: 0, "data-chat": h.key },
        el("span", { class: "title", dir: "auto" }, renderSegments(h.title_segments)),
        el("span", { class: "meta" }, h.number ?? ""));
      const open = () => openAt(h.key, null);
      li.addEventListener("click", open);
      li.addEventListener("keydown", (e) => e.key === "Enter" && open());
      return li;
    }));
  }

  /** @param {Mettri.search.RecordHit[]} hits */
  function renderRecords(hits) {
    const list = /** @type {HTMLUListElement} */ (records.querySelector("ul"));
    records.hidden = hits.length === 0;
    list.replaceChildren(...hits.map((h) => {
      const li = el("li", { tabIndex: 0, class: "record-hit", "data-record": h.record },
        el("span", { class: "title" }, h.title),
        el("span", { class: "meta" }, h.kind === "note" ? t("card_searchRecordNote") : h.label ?? t("card_field")),
        el("span", { class: "snippet" }, renderSegments(h.snippet)));
      const open = () => openRecord(h.record);
      li.addEventListener("click", open);
      li.addEventListener("keydown", (e) => e.key === "Enter" && open());
      return li;
    }));
  }

  /** The record in the "Cliente" tab, and its chat in WhatsApp when a tab is open. @param {string} key */
  function openRecord(key) {
    document.dispatchEvent(new CustomEvent("mettri:show-record", { detail: key }));
    api.chat.open({ chat: key }).catch(() => undefined); // no WhatsApp tab: the card is enough
  }

  /** @param {Mettri.Result<"search.messages">} found */
  function renderHits(found) {
    // Numbers as the page's locale groups them: 1.234 in pt-BR, 1,234 in English.
    const total = found.total_exact ? count(found.total) : `${count(found.total)}+`;
    const took = count(found.took_ms);
    summary.textContent = found.total_exact ? tn("searchSummary", found.total, [total, took]) : t("searchSummaryApprox", [total, took]);
    summary.dataset.total = String(found.total);
    summary.dataset.tookMs = String(found.took_ms);
    if (!found.hits.length) {
      results.replaceChildren(el("p", { class: "empty" }, t("searchNoResults")));
    } else {
      // Grouped by chat in the order of each chat's best hit.
      /** @type {Map<string, { title: string, hits: Mettri.search.MessageHit[] }>} */
      const groups = new Map();
      for (const h of found.hits) {
        if (!groups.has(h.chat)) groups.set(h.chat, { title: h.chat_title || h.chat, hits: [] });
        groups.get(h.chat)?.hits.push(h);
      }
      results.replaceChildren(...[...groups].map(([chat, g]) =>
        el("section", { class: "search-group", "data-chat": chat },
          el("h3", { dir: "auto" }, g.title),
          el("ul", { class: "list" }, ...g.hits.map(hitItem)))));
    }
    pager.hidden = found.total <= PAGE && offset === 0;
    prev.disabled = offset === 0;
    next.disabled = offset + found.hits.length >= found.total;
    pageLabel.textContent = t("searchPage", [count(offset + 1), count(offset + found.hits.length)]);
  }

  /** @param {Mettri.search.MessageHit} h */
  function hitItem(h) {
    const who = h.direction === "out" ? t("you") : h.author ?? "";
    const li = el("li", { tabIndex: 0, class: `hit ${h.direction}`, "data-key": h.key },
      el("span", { class: "snippet", dir: "auto" }, renderSegments(h.snippet.length ? h.snippet : [{ text: `[${t(`type_${h.type}`)}]`, hit: false }])),
      el("span", { class: "meta" }, when(who, fmtTime(h.ts))));
    const open = () => openAt(h.chat, h.key);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (e) => e.key === "Enter" && open());
    return li;
  }

  /**
   * @param {string} chat
   * @param {string | null} key
   */
  async function openAt(chat, key) {
    summary.textContent = t("searchOpening");
    try {
      await api.chat.open(key ? { chat, message_key: key } : { chat });
    } catch (err) {
      summary.textContent = t("searchOpenFailed");
    }
  }

  q.addEventListener("input", () => schedule());
  for (const c of [chatName]) c.addEventListener("input", () => schedule());
  for (const c of [since, until, direction, type, tag, stage]) c.addEventListener("change", () => schedule());
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); run(); });
  next.addEventListener("click", () => { offset += PAGE; run(); });

  onEvent((envelope) => {
    if (envelope.event !== "search.progress") return;
    const { done, total } = envelope.data;
    progress.hidden = done >= total;
    progress.textContent = t("searchIndexing", [count(done), count(total)]);
  });
}

export function shown() {
  document.getElementById("search-q")?.focus();
}
