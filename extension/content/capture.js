// @ts-check
// Capture loop of the content script: watches the page, reads rendered message
// rows into raw facts (read-dom.js) and delivers them to the core in batches.
// Facts stay in a pending queue until the core acknowledges them, so a core that
// is starting, restarting or refusing a write (full disk) loses nothing. Only
// rows whose facts changed since the last acknowledged batch are sent again.
// Long texts the core asks to open ("Read more") are opened here, one at a time with the
// core's pauses, only in the open chat and only while the tab is visible.
// Which chat the rows belong to is the core's decision (pycore.identity): the tab hands back the
// key the core gave the open chat while it stays open, the chat list's names on the first batch
// (two chats of one name show there), and the contact-info drawer when the core asks for it.
var MettriCapture = (() => {
  const DEBOUNCE_MS = 120; // WhatsApp re-renders in bursts: read once it settles
  const MAX_WAIT_MS = 600; // but never later than this during a long burst
  const RETRY_MS = [250, 500, 1000, 2000, 5000];
  const MAX_PENDING = 20_000; // bounded memory if the core is gone for long
  const MAX_SENT = 10_000; // acknowledged signatures kept (least recently seen dropped first)
  const MAX_ADDED_LISTS = 20_000; // records' added-node lists kept until the next read
  const FOLLOWING = 4; // Node.DOCUMENT_POSITION_FOLLOWING
  const NO_LABELS = /** @type {string[]} */ ([]); // of rows under no divider: shared, never written
  const TAIL_ROWS = 100; // a row drawn anew is compared by its markup only among the newest rows: ticks and deletions change there
  const MAX_TRACKED = 2_000; // changes followed between two reads for a read of the rows put in at the end (more: every row is queried)
  const TRACKED_ELEMENTS = 400; // elements of the nodes taken out looked through for rows read before
  // Attributes the reader looks at: a change to one of them inside a row makes the row read again.
  const WATCHED = ["data-id", "data-testid", "data-icon", "aria-label", "title", "class", "data-pre-plain-text",
    "data-plain-text", "alt", "src", "data-virtualized", "role"];

  /**
   * @typedef {Mettri.capture.ChatFacts & { title: string }} Chat
   * @typedef {Mettri.capture.RawMessageNode} Node
   * @typedef {{ hidden: boolean, observed_at: number, locale: string | null, utc_offset_min: number }} BatchContext
   * @typedef {{ node: Node, sig: string | null }} Facts a row's facts; sig their JSON, made when first compared (sigOf)
   * @typedef {{ chat: Chat, facts: Facts, batch: BatchContext, session: number }} Pending
   */

  /**
   * A row's facts without the fields that hold their default (null, "", false, []): the core fills
   * those in (every field of a row has one). A third less to hand to Chrome, which copies a message
   * on WhatsApp's thread, and more than proportionally slower the larger it is (measured: 100 KB
   * 0.5 ms, 200 KB 1.6-1.9 ms).
   * @param {Node} node
   * @returns {Node}
   */
  function lean(node) {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const k in node) {
      const v = /** @type {Record<string, unknown>} */ (node)[k];
      if (v === null || v === false || v === "" || (Array.isArray(v) && !v.length)) continue;
      out[k] = v;
    }
    return /** @type {Node} */ (out);
  }

  /**
   * @param {Chat} chat
   * @param {string | null} raw
   */
  function nodeKey(chat, raw) {
    return `${chat.title}\u0000${raw || ""}`;
  }

  /**
   * @param {{
   *   api: Mettri.Api,
   *   selectors: Mettri.whatsapp.SelectorTable,
   *   readDom?: typeof MettriReadDom,
   *   onStats?: (stats: object, result: Mettri.Result<"capture.batch">) => void,
   *   grow?: boolean,
   * }} deps grow: whether a read may take only the rows put in at the end (false: every read queries
   *   every row; the tests compare both)
   */
  function createCapture({ api, selectors, readDom = MettriReadDom, onStats = () => {}, grow = true }) {
    /** @type {Map<string, Facts>} nodeKey -> facts acknowledged by the core (LRU, cleared per chat) */
    const sent = new Map();
    /** @type {Map<string, Pending>} nodeKey -> {chat, facts, batch, session} */
    const pending = new Map();
    // readMs / maxReadMs: the reads; observeMs: the observer's callbacks; sendMs: making each batch,
    // handing it to Chrome (it copies the message on the sender's thread) and taking in its reply; maxTaskMs: the longest of these
    // (each is one stretch of Mettri's work on WhatsApp's main thread); rowChecks: how often the
    // whole conversation was asked whether at most one row is left; rowsLooked: rows the reads looked
    // at (those a read left done are not looked at again); rowsKnown: rows among them taken as the
    // core has them by their key (drawn anew, not among the newest, read and acknowledged as labelled now).
    // readsGrown: reads that took the rows read before and those put in after them without querying every row.
    const stats = { batches: 0, nodes: 0, errors: 0, readMs: 0, maxReadMs: 0, reads: 0, dropped: 0, observeMs: 0, sendMs: 0, maxTaskMs: 0,
      rowChecks: 0, rowsLooked: 0, rowsKnown: 0, readsGrown: 0 };
    /** @type {ReturnType<typeof setTimeout> | null} */
    let timer = null;
    let firstDirtyAt = 0;
    let lastDirtyAt = 0;
    let flushing = false;
    let retry = 0;
    /** @type {MutationObserver | null} */
    let observer = null;
    let stopped = false;
    /** @type {string | null} */
    let chatSig = null;
    /** @type {string | null} */
    let chatKey = null; // the core's key of the open chat, from the last acknowledged batch
    let session = 0; // which opening of a chat the rows belong to: a new one whenever the open chat changes
    /** @type {Element | null} */
    let sessionPanel = null;
    /** @type {Set<string>} */
    let lastKeys = new Set(); // keys of the rows last read: a chat switch replaces all of them
    let drawnRows = 0; // message rows the last read found
    // Rows already read, by element: a row is read again only when something under it changed (the
    // observer marks it and its ancestors dirty) or it was put (back) into the page. Such a row is
    // first compared by its markup with what was read of it (or of the row of its key) before: the
    // reader sees nothing but attributes and text, so equal markup reads the same. A burst of 10 new
    // messages reads 10 rows, not the whole window. Kept only while the observer runs.
    /** @typedef {Facts & { html: string | null, days: string }} Read days: the day labels its node carries, joined */
    /** @type {WeakMap<Element, Read>} */
    let rowCache = new WeakMap();
    /** @type {Map<string, Read>} row key -> its last read (a page that draws its rows anew) */
    const byKey = new Map();
    // (DOM nodes: "Node" names the captured row's facts in this file)
    /** @type {WeakSet<object>} */
    let dirty = new WeakSet(); // changed since the last read, or above a change
    /** @type {WeakSet<object>} */
    let added = new WeakSet(); // put into the page since the last read (with everything under it)
    // The observer only keeps the records' lists of added nodes; they become `added` when a read first
    // asks about a row it read before. A page that draws all its rows anew adds hundreds of nodes per
    // render, none of them read before: the lists are then dropped unseen.
    /** @type {NodeList[]} */
    let addedLists = [];
    /** @type {Mettri.capture.DrawerFacts | null} */
    let drawer = null; // the open chat's contact-info drawer, read once when the core asked
    let drawerDue = false; // the core has not heard the drawer yet
    let drawerTried = false;
    /** @type {string | null} */
    let ackedUnread = null; // the open chat's unread badge as the core last heard it
    /** @type {{ row: string, wait_s: number, chat: string }[]} */
    const expandQueue = []; // long texts to open, in order
    /** @type {Map<string, number>} */
    const expandTries = new Map(); // row key -> clicks so far (per open chat)
    let expanding = false;

    /**
     * @param {string} key
     * @param {Facts} facts
     */
    function remember(key, facts) {
      sent.delete(key); // re-inserting moves it to the young end
      sent.set(key, facts);
      if (sent.size > MAX_SENT) sent.delete(/** @type {string} */ (sent.keys().next().value));
    }

    function context() {
      return {
        hidden: document.visibilityState === "hidden",
        observedAt: Date.now() / 1000,
        locale: document.documentElement.lang || navigator.language,
        utcOffsetMin: -new Date().getTimezoneOffset(),
      };
    }

    // Only rows that are new or changed since the last read are read in full (rowCache): a backfilled
    // conversation renders thousands of rows and must not be read in full each time.
    function read() {
      const t0 = performance.now();
      const ctx = context();
      const panelEl = panelNow();
      const chat = readDom.readChatHeader(document, selectors, { panel: panelEl, skip: rowsHolder() });
      /** @type {BatchContext & { chat: Chat }} */
      const batch = {
        chat,
        hidden: ctx.hidden,
        observed_at: ctx.observedAt,
        locale: ctx.locale || null,
        utc_offset_min: ctx.utcOffsetMin || 0,
      };
      let fresh = 0;
      if (observer) markDirty(observer.takeRecords());
      if (!observer) forgetRows();
      if (chat.title) {
        // Another chat is open when its name or panel changed, or when none of the rows read last
        // time is still there (two chats of one name look alike: their messages never do). A burst
        // of new messages leaves the older rows in place.
        const sig = JSON.stringify([chat.title, chat.header_testid, chat.composer_label]);
        panel = panelEl; // the changes after this read are inside it (markDirty), as the observer would find
        const sameChat = sig === chatSig && panelEl === sessionPanel;
        const addedNow = addedLists; // before changed() folds them
        const grown = sameChat ? grownRows() : null;
        /** @type {{ css: string | null }} */
        const used = { css: null };
        const rows = grown ? grown.rows : readDom.messageRows(document, selectors, used);
        drawnRows = rows.length;
        // A row's key is read again at each read: remembering it by element cost more (a cache entry
        // per row drawn anew, and asking whether it changed) than its one or two attributes.
        const keyOf = readDom.rowKey;
        // The rows the last read left done (see `settled`), and the dividers above them.
        const same = grown ? { done: grown.done, shifted: false } : sameChat ? settledRows(rows) : { done: 0, shifted: false };
        const kept = same.done ? dividersAbove(rows[same.done - 1], addedNow, same.shifted) : null;
        const done = kept ? same.done : 0;
        // The newest row is looked at even when done: the unread badge may send it again.
        const from = Math.max(0, Math.min(done, rows.length - 1));
        const keys = rows.map((el, i) => (i < from ? null : keyOf(el)));
        const known = /** @type {string[]} */ (keys.filter((k) => k !== null));
        const replaced = !done && lastKeys.size >= 3 && known.length >= 3 && !known.some((k) => lastKeys.has(k));
        if (done && lastKeys.size < 2 * rows.length + 100) known.forEach((k) => lastKeys.add(k)); // the rows before are still there
        else lastKeys = new Set(done ? rows.map(keyOf).filter((k) => k !== null) : known);
        if (sig !== chatSig || panelEl !== sessionPanel || replaced) {
          chatSig = sig;
          sessionPanel = panelEl;
          session += 1;
          chatKey = null;
          ackedUnread = null;
          drawer = null;
          drawerDue = drawerTried = false;
          sent.clear(); // memory per open chat; the core dedupes what is sent again
          byKey.clear(); // and its rows are read afresh
          expandQueue.length = 0; // long texts are opened only in the chat they are in
          expandTries.clear();
        }
        Object.assign(chat, {
          key_hint: chatKey,
          list_titles: chatKey ? null : readDom.listTitles(document, selectors),
          drawer: drawerDue ? drawer : null,
        });
        /** @type {Element[]} */
        const scanned = [];
        const seed = from ? labelsOf.get(rows[from - 1]) : undefined;
        /** @type {{ css: string | null, parent: Element | null }} */
        const shape = { css: null, parent: null };
        const given = grown && grown.flat && seed ? conversationFrom(rows[from - 1]) : undefined;
        const days = readDom.dayLabels(document, selectors, rows, { keys, from, seed, dividers: scanned, shape, given });
        const droppedBefore = stats.dropped;
        const unread = unreadSig(chat);
        stats.rowsLooked += rows.length - from;
        const tailFrom = rows.length - TAIL_ROWS;
        // Rows between two dividers share their labels (one list): sliced and joined once per run of them.
        /** @type {string[] | null} */
        let listNow = null;
        /** @type {string[]} */
        let labels = [];
        let labelsKey = "";
        for (let i = from; i < rows.length; i++) {
          const el = rows[i];
          const raw = keys[i];
          const key = nodeKey(chat, raw);
          const dayList = days.get(el) || NO_LABELS;
          if (dayList !== listNow) {
            listNow = dayList;
            labels = dayList.slice(0, 3);
            labelsKey = labels.join("\u0000");
          }
          const tail = i >= tailFrom;
          // Taken by its key, read with these labels, and the core has it as it is: the loop would
          // send nothing. A page that draws its rows anew puts back hundreds of them per render:
          // nothing of them is kept.
          const taken = readByKey(el, raw, tail);
          if (taken && taken.days === labelsKey && sameFacts(sent.get(key), taken)) {
            stats.rowsKnown += 1;
            continue;
          }
          labelsOf.set(el, dayList);
          const entry = rowRead(el, raw, taken, labels, labelsKey);
          const facts = withDays(entry, labels, labelsKey);
          const node = facts.node;
          if (!node.data_id && !node.testid && !node.pre_plain_text && !node.text) continue; // separators without facts
          if (readDom.isBlank(node)) continue; // drawn without content yet: read again when filled
          // the badge changed with no row to carry it (the tab is back in view): send the newest again
          const forced = i === rows.length - 1 && (unread !== ackedUnread || drawerDue) && !fresh;
          if (!forced && (sameFacts(sent.get(key), facts) || sameFacts(pending.get(key)?.facts, facts))) continue;
          if (pending.size >= MAX_PENDING && !pending.has(key)) {
            stats.dropped += 1; // reported in stats; the row is read again when it re-renders
            continue;
          }
          pending.set(key, { chat, facts, batch, session });
          fresh += 1;
        }
        // A row dropped (pending full) is read again next time, so that read looks at every row.
        const rowCss = grown && settled ? settled.rowCss : used.css;
        const higher = grown && settled ? settled.higher : higherThan(rowCss);
        const conv = given && settled ? { css: settled.convCss, parent: settled.convParent } : shape;
        settled = stats.dropped === droppedBefore ? {
          rows, dividers: [...new Set((kept || []).concat(scanned))], rowCss, higher,
          convCss: conv.css, convParent: conv.parent, index: grown ? grown.index : null,
          attrs: rowCss ? namedAttributes([rowCss, ...higher, ...(conv.css ? [conv.css] : [])]) : null,
        } : null;
        if (grown) stats.readsGrown += 1;
        holderSeen = null;
        rowsHolder(); // where these rows are, for what asks before the next read
        dirty = new WeakSet(); // every row drawn now was read as it is
        added = new WeakSet();
        addedLists = [];
        underAdded = null;
        untracked();
      }
      const ms = performance.now() - t0;
      stats.readMs += ms;
      stats.maxReadMs = Math.max(stats.maxReadMs, ms); // one read is one task on WhatsApp's thread
      stats.maxTaskMs = Math.max(stats.maxTaskMs, ms);
      stats.reads += 1;
      if (fresh) flush();
    }

    // Most rows are read once and never compared: their JSON is made only when a row is read again
    // (a tick, an edit) and its facts differ by object from those sent.
    /** @param {Facts} f */
    function sigOf(f) {
      if (f.sig === null) f.sig = JSON.stringify(f.node);
      return f.sig;
    }

    /**
     * @param {Facts | undefined} a
     * @param {Facts} b
     */
    function sameFacts(a, b) {
      return a === b || (!!a && sigOf(a) === sigOf(b));
    }

    /** @type {WeakMap<Read, Facts & { labels: string }>} */
    const daysOf = new WeakMap();
    /**
     * A row's facts with the day dividers above it: the read itself when it was read under them (a
     * row's first read is), else a copy made once per read row and labels (every row of a window
     * has them: building them anew on each read would cost each read a copy of every row).
     * @param {Read} entry
     * @param {string[]} labels
     * @param {string} key the labels joined (Read.days)
     */
    function withDays(entry, labels, key) {
      if (entry.days === key) return entry;
      let made = daysOf.get(entry);
      if (!made || made.labels !== key) {
        made = { labels: key, node: { ...entry.node, day_labels: labels }, sig: null };
        daysOf.set(entry, made);
      }
      return made;
    }

    // What the last read left done: its rows (each read, then queued, acknowledged or skipped as
    // a separator or blank) and the rows that are not messages (day dividers) among or above them.
    // A conversation that keeps its rows (WhatsApp's keyed list) grows at its end while messages
    // arrive: its older rows are not keyed, read, compared or labelled again; with hundreds on
    // screen that cost each read more than the new rows did.
    // For a read of the rows put in at the end (grownRows): the candidate that found the rows and those
    // before it, the candidate that found the conversation's rows and their one parent (null: they
    // have several), and each row's place (made on the first such read).
    /** @type {{ rows: Element[], dividers: Element[], rowCss: string | null, higher: string[], convCss: string | null,
     *   convParent: Element | null, index: Map<Element, number> | null, attrs: Set<string> | null } | null} */
    let settled = null;
    /** @type {WeakMap<Element, string[]>} the day labels each row was last read with */
    let labelsOf = new WeakMap();

    /**
     * How many of the first rows are done: the same elements in the same order as in the last read
     * (in the same session), not changed since (the observer marks every change). A virtualized
     * list may have let rows go at its top: the first row is looked for among the last read's.
     * @param {Element[]} rows
     * @returns {{ done: number, shifted: boolean }}
     */
    function settledRows(rows) {
      if (!settled || !observer || !rows.length) return { done: 0, shifted: false };
      const before = settled.rows;
      const shift = before.indexOf(rows[0]);
      if (shift < 0) return { done: 0, shifted: false };
      const n = Math.min(rows.length, before.length - shift);
      let i = 0;
      while (i < n && rows[i] === before[i + shift] && !changed(rows[i])) i++;
      return { done: i, shifted: shift > 0 };
    }

    /**
     * The last read's dividers above `last` (a done row), when none of them changed or went and
     * nothing was put in above it since (a new divider would change the labels of the rows below);
     * else null: every row is looked at again. When rows went at the top, dividers gone are taken
     * as gone with them (the labels the rows below were read with were true when read).
     * @param {Element} last
     * @param {NodeList[]} addedNow
     * @param {boolean} shifted
     */
    function dividersAbove(last, addedNow, shifted) {
      const place = placesAgainst(last);
      const above = (/** @type {globalThis.Node} */ n) => place(n) < 0;
      for (const list of addedNow) for (const n of list) if (n.isConnected && above(n)) return null;
      /** @type {Element[]} */
      const kept = [];
      for (const d of /** @type {NonNullable<typeof settled>} */ (settled).dividers) {
        if (!d.isConnected) {
          if (shifted) continue;
          return null;
        }
        if (!above(d)) continue; // below it: walked again
        if (changed(d)) return null;
        kept.push(d);
      }
      return kept;
    }

    /**
     * Where nodes lie against `last` (a row), found without comparing document positions: Chrome
     * orders two siblings by walking the siblings from one of them towards the list's start, so
     * comparing each of hundreds of nodes put in with a row among hundreds walked the list each time
     * (25 ms of a 500-message burst's 40, in a replica page that keeps its rows). Here a node walks up
     * to an ancestor of `last`, and the siblings on the far side of `last` are listed once per ancestor.
     * @param {Element} last
     * @returns {(n: globalThis.Node) => number} -1: above `last` or holding it; 0: `last` or inside
     *   it; above 0: below it, the number growing in document order (nodes under one sibling share it)
     */
    function placesAgainst(last) {
      /** @type {Map<globalThis.Node, { child: globalThis.Node, level: number }>} each ancestor: its child towards last */
      const chain = new Map();
      let level = 0;
      for (let c = /** @type {globalThis.Node} */ (last), p = c.parentNode; p; c = p, p = p.parentNode) chain.set(p, { child: c, level: level++ });
      /** @type {Map<globalThis.Node, Map<globalThis.Node, number>>} per ancestor: its children after last's side, numbered */
      const after = new Map();
      return (n) => {
        if (n === last) return 0;
        if (chain.has(n)) return -1;
        let c = n;
        let p = n.parentNode;
        while (p && p !== last && !chain.has(p)) {
          c = p;
          p = p.parentNode;
        }
        if (!p) return -1; // not in last's tree
        if (p === last) return 0;
        const at = /** @type {{ child: globalThis.Node, level: number }} */ (chain.get(p));
        let order = after.get(p);
        if (!order) {
          order = new Map();
          let i = 0;
          for (let sib = at.child.nextSibling; sib; sib = sib.nextSibling) order.set(sib, ++i);
          after.set(p, order);
        }
        const i = order.get(c);
        // what lies after last under a nearer ancestor comes first in the document
        return i === undefined ? -1 : at.level * 1e7 + i;
      };
    }

    // What changed in the open conversation since the last read, for grownRows: the records' lists of
    // nodes taken out (kept as lists: a page that draws its rows anew takes out hundreds per render,
    // and going through them is left to a read that needs it), where each change was (the records'
    // targets), and whether a change was one it cannot follow (then nothing more is kept).
    /** @type {NodeList[]} */
    let takenOut = [];
    /** @type {globalThis.Node[]} */
    let targets = [];
    let untrackable = false;
    function untracked() {
      takenOut = [];
      targets = [];
      untrackable = false;
    }

    /**
     * A record markDirty kept: what grownRows needs of it.
     * @param {MutationRecord} r
     * @param {boolean} inside its target lies in the open conversation
     */
    function track(r, inside) {
      if (untrackable) return;
      const named = settled && settled.attrs;
      if (!inside || (r.type === "attributes" && (!named || named.has(/** @type {string} */ (r.attributeName))))
        || targets.length >= MAX_TRACKED || takenOut.length >= MAX_TRACKED) {
        untrackable = true;
        takenOut = [];
        targets = [];
        return;
      }
      if (targets[targets.length - 1] !== r.target) targets.push(r.target);
      if (r.removedNodes.length) takenOut.push(r.removedNodes);
    }

    /**
     * The attributes these candidates name: a change to one can make an element a row, or not one.
     * Null when a candidate's matches can change otherwise (a relational pseudo-class, a sibling
     * combinator: an element put in beside or under another) or it names an attribute the observer
     * does not watch; then every read queries every row. An id is taken as an element's for good.
     * @param {string[]} list
     * @returns {Set<string> | null}
     */
    function namedAttributes(list) {
      const key = list.join("\n");
      if (!attributesOf.has(key)) attributesOf.set(key, attributesNamed(list));
      return /** @type {Set<string> | null} */ (attributesOf.get(key));
    }
    /** @type {Map<string, Set<string> | null>} per list of candidates (asked on every read) */
    const attributesOf = new Map();
    /** @param {string[]} list */
    function attributesNamed(list) {
      /** @type {Set<string>} */
      const out = new Set();
      for (const css of list) {
        if (/:has\(|:not\(|:nth|:first|:last|:only|:empty|[+~]/.test(css)) return null;
        for (const m of css.matchAll(/\[\s*([\w-]+)/g)) out.add(m[1]);
        if (/\.[A-Za-z_-]/.test(css)) out.add("class");
      }
      for (const a of out) if (!WATCHED.includes(a)) return null;
      return out;
    }

    /**
     * @param {string | null} css the candidate that found the rows
     * @returns {string[]} the candidates before it that this browser accepts (one it rejects finds nothing)
     */
    function higherThan(css) {
      const candidates = (selectors.features.message_row || { candidates: [] }).candidates.map((c) => c.css);
      const at = css === null ? -1 : candidates.indexOf(css);
      return (at < 0 ? [] : candidates.slice(0, at)).filter((c) => {
        try {
          document.createDocumentFragment().querySelector(c); // an empty fragment: no walk
          return true;
        } catch (e) {
          return false;
        }
      });
    }

    /**
     * The rows of a read that queries no row it does not need: the rows the last read left, less those
     * taken out at their end, then the rows in what was put in after them. Only when nothing else
     * touched which elements are rows: no row taken out or moved before that end, nothing with a row
     * in it put in before it, no attribute a row candidate names changed, no row found by a candidate
     * before the one in use. Then it is exactly what messageRows would return, and `done` what
     * settledRows would (a row read before lies in nothing put in since: only a row taken out can be
     * put back). Null: query every row. A conversation that keeps its rows (WhatsApp's keyed list)
     * holds hundreds or thousands of them, and a read on each new message queried them all: with the
     * header looked for around the rows, a read took 0.8 ms with 130 rows drawn and 8-10 ms with
     * 3,000; this way 0.5 and 0.7 ms (a replica page, one message per read).
     * @returns {{ rows: Element[], done: number, index: Map<Element, number>, flat: boolean } | null}
     *   index: each row's place; flat: the conversation's rows still have one parent
     */
    function grownRows() {
      const s = settled;
      if (!grow || !s || !observer || untrackable || !s.rowCss || !s.attrs || !s.rows.length) return null;
      // The first row gone: taken out before the end, or all of them (a page drawing its rows anew).
      if (!s.rows[0].isConnected) return null;
      let k = s.rows.length;
      while (k > 0 && !s.rows[k - 1].isConnected) k--;
      if (!k) return null;
      // Each node put in is looked into for rows with each candidate: with as many put in as rows
      // drawn, one query of every row costs less (a burst of 500 messages read in two reads).
      let put = 0;
      for (const list of addedLists) put += list.length;
      if (put > k) return null;
      // A row read before that is gone is one taken out before the end; one that is back was moved
      // (a node taken out and put back may hold it). A node taken out for good is not looked into.
      for (let i = 0; i < k; i++) if (!s.rows[i].isConnected) return null;
      const index = s.index || new Map(s.rows.map((el, i) => [el, i]));
      let looked = 0;
      for (const list of takenOut) {
        for (const n of list) {
          if (n.nodeType !== 1 || !n.isConnected) continue;
          const at = index.get(/** @type {Element} */ (n));
          if (at !== undefined && at < k) return null;
          const inner = /** @type {Element} */ (n).getElementsByTagName("*");
          looked += inner.length;
          if (looked > TRACKED_ELEMENTS) return null;
          for (const e of inner) {
            const i = index.get(e);
            if (i !== undefined && i < k) return null;
          }
        }
      }
      const last = s.rows[k - 1];
      const place = placesAgainst(last);
      /** @type {[number, Element][]} the rows put in below last, with their place */
      const fresh = [];
      let flat = !!s.convCss && !!s.convParent;
      for (const list of addedLists) {
        for (const n of list) {
          if (n.nodeType !== 1 || !n.isConnected) continue;
          const el = /** @type {Element} */ (n);
          if (s.higher.some((css) => readDom.selfAndBelow(el, css).length)) return null; // the rows are found otherwise now
          const rowsIn = readDom.selfAndBelow(el, s.rowCss);
          const conv = s.convCss ? readDom.selfAndBelow(el, s.convCss) : [];
          const at = place(el);
          if (at <= 0) {
            if (rowsIn.length || conv.length) return null; // a row or a divider put in above the end
            continue;
          }
          if (conv.length && (conv.length > 1 || conv[0] !== el || el.parentElement !== s.convParent)) flat = false;
          for (const r of rowsIn) fresh.push([at, r]);
        }
      }
      // In document order; rows under one sibling are few, and compared directly.
      fresh.sort((a, b) => a[0] - b[0] || (a[1] === b[1] ? 0 : a[1].compareDocumentPosition(b[1]) & FOLLOWING ? -1 : 1));
      const added = readDom.outermost(fresh.map((f) => f[1]));
      // The first row read before that changed since (its element or something in it).
      let done = k;
      for (const t of targets) {
        for (let p = /** @type {globalThis.Node | null} */ (t); p && p !== sessionPanel; p = p.parentNode) {
          const at = index.get(/** @type {Element} */ (p));
          if (at === undefined) continue;
          if (at < done) done = at;
          break;
        }
      }
      for (let i = k; i < s.rows.length; i++) index.delete(s.rows[i]);
      added.forEach((el, i) => index.set(el, k + i));
      return { rows: s.rows.slice(0, k).concat(added), done, index, flat };
    }

    /**
     * The conversation's rows from the one holding `row` on (it and its siblings after it that are
     * conversation rows), when they all have one parent; else undefined (dayLabels queries them all).
     * @param {Element} row
     */
    function conversationFrom(row) {
      const s = settled;
      if (!s || !s.convCss || !s.convParent) return undefined;
      const own = row.closest(s.convCss);
      if (!own || own.parentElement !== s.convParent) return undefined;
      /** @type {Element[]} */
      const els = [];
      for (let n = /** @type {Element | null} */ (own); n; n = n.nextElementSibling) if (n.matches(s.convCss)) els.push(n);
      return { css: s.convCss, els };
    }

    /** @type {Element | null} the element that held the rows at the last read */
    let holderSeen = null;

    /**
     * The element holding the rows the last read found, while they are there; when they are gone, the
     * element that held them, while it is still in the open conversation: a page that draws its rows
     * anew puts the next ones in the same place (until the next read, which is every time read()
     * starts in such a page).
     * @returns {Element | null}
     */
    function rowsHolder() {
      const rows = settled ? settled.rows : [];
      const a = rows[0];
      const b = rows[rows.length - 1];
      if (a && a.isConnected && b.isConnected) {
        let holder = a.parentElement;
        while (holder && !holder.contains(b)) holder = holder.parentElement;
        // Rows found on both sides of the panel (a match outside the message list) name no list:
        // what is left out of a read beside them would be the whole conversation panel.
        if (holder && sessionPanel && holder.contains(sessionPanel)) holder = null;
        holderSeen = holder;
        return holder;
      }
      const inPanel = !!holderSeen && !!sessionPanel && holderSeen !== sessionPanel && holderSeen.isConnected && sessionPanel.contains(holderSeen);
      return inPanel ? holderSeen : null;
    }

    function forgetRows() {
      settled = null;
      untracked();
      labelsOf = new WeakMap();
      rowCache = new WeakMap();
      byKey.clear();
    }

    function foldAdded() {
      for (const list of addedLists) list.forEach((n) => added.add(n));
      addedLists = [];
      underAdded = null;
    }

    // Changed since the last read: itself or below it (dirty), or inside a subtree put in since.
    /** @param {Element} el */
    function changed(el) {
      if (dirty.has(el)) return true;
      if (addedLists.length) foldAdded();
      return insideAdded(el);
    }

    // Whether el lies in a subtree put in since the last read (read-dom's upwardTest: rows share
    // their ancestors); made again when `added` or the panel it stops at changes.
    /** @type {((el: Element | null) => boolean) | null} */
    let underAdded = null;
    /** @type {Element | null} */
    let underAddedStop = null;
    /** @param {Element} el */
    function insideAdded(el) {
      if (!underAdded || underAddedStop !== sessionPanel) {
        underAdded = readDom.upwardTest((p) => added.has(p), sessionPanel);
        underAddedStop = sessionPanel;
      }
      return underAdded(el);
    }

    /**
     * The last read of the row's key when the row is taken as read by it: drawn anew (no read of this
     * element) above the newest rows, its key read before with some content. Older rows drawn anew
     * are not compared by their markup: ticks and deletions change the newest ones.
     * @param {Element} el
     * @param {string | null} key
     * @param {boolean} tail among the newest rows
     * @returns {Read | undefined}
     */
    function readByKey(el, key, tail) {
      if (tail || key === null || rowCache.has(el)) return undefined;
      const before = byKey.get(key);
      return before && !readDom.isBlank(before.node) ? before : undefined;
    }

    /**
     * What the reader makes of a row: remembered while it does not change.
     * @param {Element} el
     * @param {string | null} key
     * @param {Read | undefined} taken readByKey's answer for the row (asked once, by the read loop)
     * @param {string[]} labels the day labels above it now (a new read carries them)
     * @param {string} labelsKey those labels joined (Read.days)
     * @returns {Read}
     */
    function rowRead(el, key, taken, labels, labelsKey) {
      const known = rowCache.get(el);
      if (known && !changed(el)) return known;
      if (taken) {
        rowCache.set(el, taken);
        return taken;
      }
      const before = key !== null ? byKey.get(key) : undefined;
      // Markup is kept from a row's second read on: most rows are read once, and serializing them
      // cost a third of the read; a row read again (redrawn, ticked) is likely to be read again.
      const html = known || before ? el.outerHTML : null;
      const same = known && known.html === html ? known : before;
      if (html !== null && same && same.html === html) {
        rowCache.set(el, same);
        return same;
      }
      const node = readDom.readMessageNode(el, selectors, labels);
      const read = { html, node, sig: null, days: labelsKey };
      rowCache.set(el, read);
      if (key !== null) {
        byKey.delete(key);
        byKey.set(key, read);
        if (byKey.size > MAX_SENT) byKey.delete(/** @type {string} */ (byKey.keys().next().value));
      }
      return read;
    }

    // The read waits until the page has been still for DEBOUNCE_MS. A change during the wait only
    // notes its time: the timer, when it fires, waits again for what is left (clearing and setting a
    // timer on every change of a burst cost more than the rest of the observer's work).
    function schedule() {
      if (stopped) return;
      const now = performance.now();
      lastDirtyAt = now;
      if (timer) return;
      firstDirtyAt = now;
      timer = setTimeout(due, DEBOUNCE_MS);
    }

    function due() {
      timer = null;
      if (stopped) return;
      const now = performance.now();
      // Once the burst has waited MAX_WAIT_MS the read is due: a page that keeps rendering must not
      // push it back again and again (it would wait until the burst ends, then read everything at once).
      const wait = Math.min(lastDirtyAt + DEBOUNCE_MS, firstDirtyAt + MAX_WAIT_MS) - now;
      if (wait > 1) timer = setTimeout(due, wait);
      else read();
    }

    function nextBatch() {
      // One chat per batch (the chat facts are per batch), at most 500 nodes.
      /** @type {string | null} */
      let chatSig = null;
      /** @type {[string, Pending][]} */
      const entries = [];
      /** @type {Chat | null} */
      let lastChat = null; // a read's rows share its chat object: its JSON is made once per run of them
      let sig = "";
      for (const [key, entry] of pending) {
        if (entry.chat !== lastChat) {
          lastChat = entry.chat;
          sig = JSON.stringify(entry.chat);
        }
        if (chatSig === null) chatSig = sig;
        if (sig !== chatSig) continue;
        entries.push([key, entry]);
        if (entries.length >= 500) break;
      }
      return entries;
    }

    // A stretch of a batch's work on WhatsApp's thread, from t0: making it and handing it to Chrome,
    // or taking in its reply.
    /** @param {number} t0 */
    function batchWork(t0) {
      const ms = performance.now() - t0;
      stats.sendMs += ms;
      stats.maxTaskMs = Math.max(stats.maxTaskMs, ms);
    }

    async function flush() {
      if (flushing || stopped) return;
      flushing = true;
      try {
        while (pending.size) {
          const t0 = performance.now();
          const entries = nextBatch();
          const base = entries[0][1].batch;
          const args = {
            chat: entries[0][1].chat,
            nodes: entries.map(([, e]) => lean(e.facts.node)),
            hidden: base.hidden,
            observed_at: base.observed_at,
            locale: base.locale,
            utc_offset_min: base.utc_offset_min,
          };
          const asked = api.capture.batch.request(args, { timeoutMs: 60_000 });
          batchWork(t0);
          const reply = await asked;
          const t1 = performance.now();
          if (reply.ok) {
            for (const [key, entry] of entries) {
              if (pending.get(key) === entry) pending.delete(key);
              remember(key, entry.facts);
            }
            if (entries[0][1].session === session) {
              chatKey = reply.result.chat; // handed back with the next batches of this same open chat
              if (args.chat.drawer) drawerDue = false;
              if (reply.result.read_drawer) readDrawerOnce();
            }
            ackedUnread = unreadSig(args.chat);
            enqueueExpansions(reply.result.expand, args.chat);
            stats.batches += 1;
            stats.nodes += entries.length;
            retry = 0;
            onStats(stats, reply.result);
            batchWork(t1);
            continue;
          }
          stats.errors += 1;
          if (reply.error && reply.error.code === "invalid_args") {
            // Our own reader produced something the core refuses: drop only the
            // node it names, keep the rest, and say so in the console.
            const loc = String((reply.error.details[0] || {}).loc || "");
            const index = Number((loc.match(/^nodes\.(\d+)/) || [])[1]);
            const victim = Number.isInteger(index) ? entries[index] : entries[0];
            console.warn("mettri: the core refused a captured row", reply.error, victim && victim[1].facts.node);
            if (victim) pending.delete(victim[0]);
            continue;
          }
          // not_ready, storage_error...: keep everything and try again later.
          const delay = RETRY_MS[Math.min(retry, RETRY_MS.length - 1)];
          retry += 1;
          await new Promise((r) => setTimeout(r, delay));
        }
      } finally {
        flushing = false;
      }
    }

    // The core cannot tell the open chat from another of its name: read its contact-info drawer
    // once (paced by the core's scrape limit), never while the user types or the tab is hidden,
    // nor while a send is finding its chat; the newest row goes again with it.
    async function readDrawerOnce() {
      const active = document.activeElement;
      const typing = !!active && (/** @type {HTMLElement} */ (active).isContentEditable || active.tagName === "INPUT" || active.tagName === "TEXTAREA");
      if (drawerTried || stopped || typing || document.visibilityState === "hidden" || MettriActions.isActing()) return;
      drawerTried = true;
      const mine = session;
      const facts = await MettriActions.readDrawer(selectors);
      if (!facts || mine !== session) return;
      drawer = facts;
      drawerDue = true;
      schedule();
    }

    /** @param {Chat} chat */
    function unreadSig(chat) {
      return JSON.stringify([chat.list_row, chat.unread_label, chat.unread_text]);
    }

    // -- long texts: the core names the rows whose "Read more" to open and the pause before each
    /**
     * @param {Mettri.capture.Expansion[] | undefined} list
     * @param {Chat} chat
     */
    function enqueueExpansions(list, chat) {
      const sig = JSON.stringify([chat.title, chat.header_testid, chat.composer_label]);
      if (sig !== chatSig) return; // that chat is no longer open
      for (const e of list || []) {
        if (expandQueue.some((q) => q.row === e.row) || (expandTries.get(e.row) || 0) >= 2) continue;
        expandQueue.push({ row: e.row, wait_s: e.wait_s, chat: sig });
      }
      if (!expanding) runExpansions();
    }

    function whenVisible() {
      if (document.visibilityState !== "hidden") return Promise.resolve();
      return /** @type {Promise<void>} */ (new Promise((resolve) => {
        const on = () => {
          if (document.visibilityState === "hidden") return;
          document.removeEventListener("visibilitychange", on);
          resolve();
        };
        document.addEventListener("visibilitychange", on);
      }));
    }

    async function runExpansions() {
      expanding = true;
      try {
        while (expandQueue.length && !stopped) {
          const job = expandQueue[0];
          await new Promise((r) => setTimeout(r, job.wait_s * 1000));
          await whenVisible(); // nobody clicks in a hidden tab
          expandQueue.shift();
          if (job.chat !== chatSig || stopped) continue;
          const row = readDom.messageRows(document, selectors).find((el) => readDom.rowKey(el) === job.row);
          const control = row ? readDom.readMoreOf(row, selectors) : null;
          if (!control) continue;
          expandTries.set(job.row, (expandTries.get(job.row) || 0) + 1);
          sent.forEach((_, key) => { if (key.endsWith(`\u0000${job.row}`)) sent.delete(key); }); // read it again
          /** @type {HTMLElement} */ (control).click();
        }
      } finally {
        expanding = false;
      }
    }

    /** @type {Element | null} */
    let panel = null;
    let panelCss = ""; // the candidate that found it
    // Asked on every change: the panel found last is kept while it is in the page and still
    // matches (it is unique: another one replaces it), instead of querying the whole page each time.
    function panelNow() {
      if (panel && panel.isConnected && panelCss && panel.matches(panelCss)) return panel;
      const found = readDom.firstWithCss(document, selectors, "conversation_panel");
      if (found.css) panelCss = found.css;
      return found.el;
    }

    // Every element from a changed node up to the document is dirty: the rows among them are read
    // again. The walk stops at an element already marked, so a burst costs one walk per subtree.
    // Only changes in the open conversation (or around it) are kept: the chat list redraws its rows
    // on every message, and marking those cost more than reading the new messages.
    /**
     * @param {MutationRecord[]} records
     * @returns {{ panel: Element, records: MutationRecord[] } | null} the records inside the panel the
     *   changes were kept for (the observer's callback asks the same of them), when there is one
     */
    function markDirty(records) {
      const inside = sessionPanel && sessionPanel === panel && sessionPanel.isConnected ? sessionPanel : null;
      /** @type {MutationRecord[]} */
      const within = [];
      for (const r of records) {
        if (inside) {
          if (inside.contains(r.target)) within.push(r);
          else if (!r.target.contains(inside)) continue;
        }
        track(r, !!inside && within[within.length - 1] === r);
        for (let n = /** @type {{ parentNode: object | null } | null} */ (r.target); n && !dirty.has(n);
          n = /** @type {{ parentNode: object | null } | null} */ (n.parentNode)) dirty.add(n);
        // A subtree put back (a list that moves rows around) may hold rows changed while it was out.
        if (r.addedNodes.length) addedLists.push(r.addedNodes);
      }
      if (addedLists.length > MAX_ADDED_LISTS) {
        // No read for long (no chat open): hold no detached nodes; rows are compared afresh instead.
        addedLists = [];
        forgetRows();
      }
      return inside ? { panel: inside, records: within } : null;
    }

    // Only mutations inside the open conversation (or a new conversation) matter:
    // the chat list re-renders constantly and must not cost us a read each time.
    /** @param {MutationRecord[]} records */
    function onMutations(records) {
      const t0 = performance.now();
      const reading = stats.readMs;
      mutated(records, markDirty(records));
      const ms = performance.now() - t0 - (stats.readMs - reading); // a read it ran is counted as a read
      stats.observeMs += ms;
      stats.maxTaskMs = Math.max(stats.maxTaskMs, ms);
    }

    /**
     * @param {MutationRecord[]} records
     * @param {ReturnType<typeof markDirty>} marked
     */
    function mutated(records, marked) {
      const now = panelNow();
      if (now !== panel) {
        panel = now;
        schedule();
        return;
      }
      const inPanel = panel;
      const mine = !inPanel ? [] : marked && marked.panel === inPanel ? marked.records : records.filter((r) => inPanel.contains(r.target));
      if (!inPanel || !mine.length) return;
      // A hidden tab renders only the last message and replaces it with the next one:
      // read it now, before it is gone, instead of after the debounce. (Asked whatever the page's
      // visibilityState says: a tab can render this way while the document still counts as visible.)
      // Only a change that took out more rows than it put in can leave one row where there were
      // more (the query walks the whole conversation: asked on every new message it cost more than
      // the message).
      const mayBeOne = mayLeaveOneRow(mine);
      if (mayBeOne) stats.rowChecks += 1;
      if (mayBeOne && readDom.atMostOneRow(inPanel, selectors)) read();
      else schedule();
    }

    /**
     * Whether the conversation's changes may have left one row or none: counted only as far as the
     * answer needs. A row redrawn in place (out one, in one) is no loss; two or more taken out at once
     * (a page drawing its rows anew, a tab going hidden) are left to the question above.
     * @param {MutationRecord[]} mine
     */
    function mayLeaveOneRow(mine) {
      // Two nodes put in, still there, apart (neither holds the other: a quote's id inside a row is
      // not a second row) and each holding a row: more than one row is drawn now, whatever went (a
      // page that draws its rows anew takes them all out and puts them all back in each render).
      /** @type {globalThis.Node | null} */
      let one = null;
      for (const r of mine) {
        for (const n of r.addedNodes) {
          if (!n.isConnected || (one && (one.contains(n) || n.contains(one))) || !readDom.rowKeysIn(n, 1)) continue;
          if (one) return false;
          one = n;
        }
      }
      if (drawnRows <= 1) return true; // the last read found one row or none
      let out = 0;
      for (const r of mine) {
        for (const n of r.removedNodes) {
          out += readDom.rowKeysIn(n, 2 - out);
          if (out >= 2) return true;
        }
      }
      // a node put in and taken out again within these records is no longer in the page
      return out > 0 && !one;
    }

    function start() {
      stopped = false;
      forgetRows(); // what changed while nobody watched is unknown
      observer = new MutationObserver(onMutations);
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: WATCHED,
      });
      document.addEventListener("visibilitychange", schedule);
      schedule();
    }

    function stop() {
      stopped = true;
      if (observer) observer.disconnect();
      observer = null; // the row cache is no longer kept true
      if (timer) clearTimeout(timer);
      timer = null;
      document.removeEventListener("visibilitychange", schedule);
    }

    // Busy while a read is due, facts wait for the core or long texts wait to be opened.
    const busy = () => timer !== null || pending.size > 0 || flushing || expandQueue.length > 0 || expanding;

    // A core that restarted (a crash, Chrome closing its document) knows every stored message but
    // not which chat this tab shows: send the newest row again, as when the tab comes back in view.
    function resync() {
      ackedUnread = null;
      schedule();
    }

    return { start, stop, read, flush, resync, stats, pending, sent, busy, rowsHolder, panel: panelNow, chatKey: () => chatKey };
  }

  return Object.freeze({ createCapture, lean });
})();
