// @ts-check
/*
 * Mettri: pure readers that turn WhatsApp Web DOM nodes into raw facts.
 *
 * A classic script (content scripts cannot import modules): it defines
 * MettriReadDom. Every selector comes from pycore (command
 * "selectors.get", pycore/whatsapp/selectors.py); nothing here parses ids, dates,
 * direction or ticks: it reads attributes and text, and pycore interprets them.
 * The shapes returned are the pydantic models of pycore/protocol/capture.py
 * (RawMessageNode, ChatFacts), contacts.py (RawChatRow) and whatsapp.py (ProbeResult).
 */
var MettriReadDom = (function () {
  "use strict";

  // The protocol's own bounds (generated from the pydantic models), so a batch always validates.
  var NODE = MettriProtocol.capture.bounds.RawMessageNode;
  var ROW = MettriProtocol.contacts.bounds.RawChatRow;
  var MAX_TEXT = NODE.text.maxLength;
  var MAX_ATTR = NODE.data_id.maxLength;
  var MAX_LIST = NODE.icons.maxItems;
  var MAX_NODES = MettriProtocol.capture.bounds.CaptureBatch.nodes.maxItems;

  /**
   * @typedef {Mettri.whatsapp.SelectorTable} Selectors
   * @typedef {Document | Element} Root
   */

  /**
   * @param {unknown} value
   * @param {number} max
   */
  function cut(value, max) {
    return value == null ? null : String(value).slice(0, max);
  }

  /**
   * @param {Root} root
   * @param {string} css
   * @returns {Element[]}
   */
  function queryAll(root, css) {
    try {
      return Array.prototype.slice.call(root.querySelectorAll(css));
    } catch (e) {
      return []; // a selector this browser rejects counts as "not found"
    }
  }

  /**
   * The first candidate of a feature that matches anything under root.
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   * @returns {{ css: string | null, els: Element[] }}
   */
  function match(root, sel, feature) {
    var spec = sel.features[feature];
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length; i++) {
      var found = queryAll(root, candidates[i].css);
      if (found.length) return { css: candidates[i].css, els: found };
    }
    return { css: null, els: [] };
  }

  /**
   * Every element any candidate matches (for text sources such as popups, where each counts).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   */
  function matchAll(root, sel, feature) {
    var spec = sel.features[feature];
    /** @type {Element[]} */
    var out = [];
    (spec ? spec.candidates : []).forEach(function (c) {
      queryAll(root, c.css).forEach(function (el) { if (out.indexOf(el) < 0) out.push(el); });
    });
    return out;
  }

  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   */
  function first(root, sel, feature) {
    return match(root, sel, feature).els[0] || null;
  }

  /**
   * @param {(string | null)[]} values
   * @param {number} max
   */
  function distinct(values, max) {
    /** @type {string[]} */
    var seen = [];
    for (var i = 0; i < values.length && seen.length < max; i++) {
      var v = values[i] == null ? "" : String(cut(values[i], MAX_ATTR));
      if (v.trim() && seen.indexOf(v) < 0) seen.push(v);
    }
    return seen;
  }

  /**
   * @param {Element} el
   * @param {string} css
   */
  function selfAndBelow(el, css) {
    var out = el.matches && el.matches(css) ? [el] : [];
    return out.concat(queryAll(el, css));
  }

  /**
   * Text with emoji images written as their characters (data-plain-text, else alt).
   * @param {Node} node
   */
  function textOf(node) {
    var out = "";
    (function walk(/** @type {Node} */ n) {
      if (out.length > MAX_TEXT) return;
      if (n.nodeType === 3) out += n.nodeValue;
      else if (n.nodeType === 1) {
        var e = /** @type {Element} */ (n);
        if (e.tagName === "IMG") out += e.getAttribute("data-plain-text") || e.getAttribute("alt") || "";
        else if (e.tagName === "BR") out += "\n";
        else for (var c = n.firstChild; c; c = c.nextSibling) walk(c);
      }
    })(node);
    return out.slice(0, MAX_TEXT);
  }

  /**
   * @param {Element} el
   * @param {number} max
   */
  function labelsOf(el, max) {
    /** @type {(string | null)[]} */
    var out = [];
    selfAndBelow(el, "[aria-label], [title], title").forEach(function (n) {
      if (n.tagName.toLowerCase() === "title") out.push(n.textContent.trim()); // svg <title>: wds-ic-read …
      else {
        if (n.hasAttribute("aria-label")) out.push(n.getAttribute("aria-label"));
        if (n.hasAttribute("title")) out.push(n.getAttribute("title"));
      }
    });
    return distinct(out, max);
  }

  /**
   * @param {Element} el
   * @param {string} name
   * @param {number} max
   */
  function attrsOf(el, name, max) {
    return distinct(selfAndBelow(el, "[" + name + "]").map(function (n) { return n.getAttribute(name); }), max);
  }

  /**
   * @param {Element} el
   * @param {Selectors} sel
   * @returns {Mettri.capture.RawMessageNode}
   */
  function readMessageNode(el, sel) {
    var idEl = el.hasAttribute("data-id") ? el : el.querySelector("[data-id]");
    var testEl = selfAndBelow(el, '[data-testid^="conv-msg-"]')[0];
    var pre = first(el, sel, "pre_plain_text");
    var quoted = first(el, sel, "quoted");
    var texts = match(el, sel, "message_text").els.filter(function (t) { return !(quoted && quoted.contains(t)); });
    var wanted = sel.classes || [];
    /** @type {string[]} */
    var classes = [];
    selfAndBelow(el, "[class]").forEach(function (n) {
      for (var i = 0; i < n.classList.length; i++) if (wanted.indexOf(n.classList[i]) >= 0) classes.push(n.classList[i]);
    });
    return {
      data_id: idEl ? cut(idEl.getAttribute("data-id"), MAX_ATTR) : null,
      testid: testEl ? cut(testEl.getAttribute("data-testid"), MAX_ATTR) : null,
      classes: distinct(classes, MAX_LIST),
      pre_plain_text: pre ? cut(pre.getAttribute("data-pre-plain-text"), MAX_ATTR) : null,
      text: texts.length ? textOf(texts[0]) : "",
      quoted: quoted ? textOf(quoted) : null,
      icons: attrsOf(el, "data-icon", MAX_LIST),
      labels: labelsOf(el, MAX_LIST),
      testids: attrsOf(el, "data-testid", MAX_LIST),
      has_media: match(el, sel, "media").els.length > 0,
    };
  }

  /**
   * Message rows of the open conversation, outermost matches only, in DOM order.
   * Walking up to the root keeps this linear: a backfilled chat renders thousands of rows.
   * @param {Root} root
   * @param {Selectors} sel
   */
  function messageRows(root, sel) {
    var rows = match(root, sel, "message_row").els;
    var set = new Set(rows);
    return rows.filter(function (el) {
      for (var p = el.parentElement; p; p = p.parentElement) if (set.has(p)) return false;
      return true;
    });
  }

  /**
   * The cheap identity of a row (data-id, else the 2026 conv-msg testid), read before the full row.
   * @param {Element} el
   */
  function rowKey(el) {
    var idEl = el.hasAttribute("data-id") ? el : el.querySelector("[data-id]");
    if (idEl) return idEl.getAttribute("data-id");
    var testEl = selfAndBelow(el, '[data-testid^="conv-msg-"]')[0];
    return testEl ? testEl.getAttribute("data-testid") : null;
  }

  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @returns {Mettri.capture.ChatFacts & { title: string }}
   */
  function readChatHeader(root, sel) {
    var title = first(root, sel, "chat_header_title");
    var header = first(root, sel, "chat_header");
    var composer = first(root, sel, "composer");
    return {
      title: String(cut(title ? title.getAttribute("title") || title.textContent : "", MAX_ATTR)),
      header_testid: header ? cut(header.getAttribute("data-testid"), MAX_ATTR) : null,
      composer_label: composer ? cut(composer.getAttribute("aria-label"), MAX_ATTR) : null,
    };
  }

  /**
   * The args of the capture.batch command; time, locale and offset are the caller's.
   * @param {Root} root
   * @param {Selectors} sel
   * @param {{ hidden?: boolean, observedAt: number, locale?: string | null, utcOffsetMin?: number }} ctx
   * @returns {Mettri.Args<"capture.batch">}
   */
  function readBatch(root, sel, ctx) {
    var rows = messageRows(root, sel).slice(-MAX_NODES);
    return {
      chat: readChatHeader(root, sel),
      nodes: rows.map(function (el) { return readMessageNode(el, sel); }),
      hidden: !!ctx.hidden,
      observed_at: ctx.observedAt,
      locale: ctx.locale || null,
      utc_offset_min: ctx.utcOffsetMin || 0,
    };
  }

  /**
   * One chat-list row (RawChatRow), or null for rows without a title (section headers).
   * @param {Element} el
   * @param {Selectors} sel
   * @returns {Mettri.contacts.RawChatRow | null}
   */
  function readChatRow(el, sel) {
    var title = first(el, sel, "row_title");
    var name = title ? (title.getAttribute("title") || title.textContent).trim() : "";
    if (!name) return null;
    var preview = first(el, sel, "row_preview");
    var time = first(el, sel, "row_time");
    var badge = first(el, sel, "unread_badge");
    return {
      title: String(cut(name, ROW.title.maxLength)),
      preview: preview ? cut(textOf(preview), ROW.preview.maxLength) : null,
      preview_title: preview && preview.getAttribute("title") ? cut(preview.getAttribute("title"), ROW.preview_title.maxLength) : null,
      time: time ? cut((time.textContent || "").trim(), ROW.time.maxLength) || null : null,
      unread_label: badge ? cut(badge.getAttribute("aria-label"), ROW.unread_label.maxLength) : null,
      unread_text: badge ? cut((badge.textContent || "").trim(), ROW.unread_text.maxLength) || null : null,
      labels: attrsOf(el, "aria-label", ROW.labels.maxItems),
      icons: attrsOf(el, "data-icon", ROW.icons.maxItems),
      testid: cut(el.getAttribute("data-testid"), MAX_ATTR),
    };
  }

  /**
   * Which candidate of every page-level feature matches, and how often (selftest.report).
   * @param {Root} root
   * @param {Selectors} sel
   */
  function probe(root, sel) {
    /** @type {Record<string, Mettri.whatsapp.ProbeResult & { count: number }>} */
    var out = {};
    Object.keys(sel.features).forEach(function (name) {
      if (sel.features[name].scope !== "page") return;
      var m = match(root, sel, name);
      out[name] = { matched: m.css, count: m.els.length };
    });
    return out;
  }

  /**
   * Facts for connection.report (tab_id and observed_at are the caller's).
   * @param {Root} root
   * @param {Selectors} sel
   */
  function readConnection(root, sel) {
    // Popups and in-app alert banners: the core matches their text against ban signals.
    var popups = matchAll(root, sel, "popups").concat(matchAll(root, sel, "alerts"));
    return {
      logged_in: !!first(root, sel, "logged_in"),
      qr: !!first(root, sel, "qr_code"),
      offline: !!first(root, sel, "offline_banner"),
      banners: distinct(popups.map(function (p) { return textOf(p).trim(); }), MettriProtocol.connection.bounds.ConnectionReport.banners.maxItems),
    };
  }

  return {
    readMessageNode: readMessageNode,
    messageRows: messageRows,
    rowKey: rowKey,
    first: first,
    readChatHeader: readChatHeader,
    readBatch: readBatch,
    readChatRow: readChatRow,
    probe: probe,
    readConnection: readConnection,
  };
})();
