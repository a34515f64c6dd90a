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
  var FACTS = MettriProtocol.capture.bounds.ChatFacts;
  var DRAWER = MettriProtocol.capture.bounds.DrawerFacts;
  var SVG = "http://www.w3.org/2000/svg";


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
   * What is worked out once per selector table (each is asked for on every row): per feature, its
   * candidates this browser accepts as one list (`any`; `joined` only for two or more, where the list
   * saves a walk); the query for a row's classes and attributes; the "read more" labels in lower case.
   * @typedef {{ lists: Map<string, { joined: string | null, any: string }>,
   *             attrs: { css: string, classes: Set<string>, wanted: string[] } | null,
   *             rare: string | null, readMoreWords: string[] | null }} Derived
   */
  /** @type {WeakMap<Selectors, Derived>} */
  var derivedOf = new WeakMap();

  /** @param {Selectors} sel */
  function derived(sel) {
    var d = derivedOf.get(sel);
    if (!d) derivedOf.set(sel, (d = { lists: new Map(), attrs: null, rare: null, readMoreWords: null }));
    return d;
  }

  /**
   * Whether this browser accepts the selector (one it rejects would make a joined list throw).
   * @param {string} css
   */
  function accepted(css) {
    try {
      document.createDocumentFragment().querySelector(css);
      return true;
    } catch (e) {
      return false;
    }
  }

  /**
   * @param {Selectors} sel
   * @param {string} feature
   */
  function lists(sel, feature) {
    var table = derived(sel).lists;
    var found = table.get(feature);
    if (!found) {
      var spec = sel.features[feature];
      var valid = (spec ? spec.candidates : []).map(function (c) { return c.css; }).filter(accepted);
      found = { joined: valid.length > 1 ? valid.join(", ") : null, any: valid.join(", ") };
      table.set(feature, found);
    }
    return found;
  }

  /**
   * A feature's candidates as one selector list (those this browser accepts), or null when it has
   * one candidate (nothing to save) or none is accepted.
   * @param {Selectors} sel
   * @param {string} feature
   */
  function joined(sel, feature) {
    return lists(sel, feature).joined;
  }

  /**
   * A feature's candidates this browser accepts as one selector list, for element.matches ("" when
   * none is accepted).
   * @param {Selectors} sel
   * @param {string} feature
   */
  function anyOf(sel, feature) {
    return lists(sel, feature).any;
  }

  /**
   * True when no candidate of the feature matches under root, asked once for all of them: for a
   * row's features absent from most rows (a quote, media). A query that finds nothing walks the
   * whole row; one walk then answers for every candidate. (Not for features usually present: the
   * joined query is one more walk before the candidates are asked in turn. Not on the whole page
   * either: there Chrome's fast paths for single selectors beat one joined list, measured.)
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   */
  function absent(root, sel, feature) {
    var css = joined(sel, feature);
    return css !== null && !root.querySelector(css);
  }

  // The features most rows lack (a quote, media, a virtualized wrapper), every candidate this
  // browser accepts as one list: one walk of a row answers for all of them. ("Read more" is not one:
  // its candidates are any button, and WhatsApp's rows hold buttons of their own.)
  var RARE = ["quoted", "media", "virtualized"];

  /**
   * True when no candidate of any RARE feature matches under el: one walk of the row instead of
   * one per feature (each walks the whole row when it finds nothing, as it does on most rows).
   * @param {Element} el
   * @param {Selectors} sel
   */
  function noneRare(el, sel) {
    var d = derived(sel);
    if (d.rare === null) d.rare = RARE.map(function (f) { return anyOf(sel, f); }).filter(Boolean).join(", ");
    return d.rare === "" || !el.querySelector(d.rare);
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
    return matchEach([root], [], sel, feature);
  }

  /**
   * Every element any candidate matches under the regions (a region that is an element counts
   * itself) and among `selves` (asked only whether they match themselves), candidate by candidate.
   * @param {Root[]} regions
   * @param {Element[]} selves
   * @param {Selectors} sel
   * @param {string} feature
   */
  function matchEach(regions, selves, sel, feature) {
    var spec = sel.features[feature];
    /** @type {Element[]} */
    var out = [];
    (spec ? spec.candidates : []).forEach(function (c) {
      matchedBy(regions, selves, c.css).forEach(function (el) { if (out.indexOf(el) < 0) out.push(el); });
    });
    return out;
  }

  /**
   * What one selector matches under the regions (a region that is an element counts itself) and
   * among `selves`. Callers give regions that do not hold one another and selves outside them (a
   * root, or apartFrom's parts): nothing is found twice.
   * @param {Root[]} regions
   * @param {Element[]} selves
   * @param {string} css
   */
  function matchedBy(regions, selves, css) {
    /** @type {Element[]} */
    var out = [];
    try {
      selves.forEach(function (el) { if (el.matches(css)) out.push(el); });
      regions.forEach(function (r) { if (r.nodeType === 1 && /** @type {Element} */ (r).matches(css)) out.push(/** @type {Element} */ (r)); });
    } catch (e) {
      return []; // a selector this browser rejects counts as "not found"
    }
    regions.forEach(function (r) { queryAll(r, css).forEach(function (el) { out.push(el); }); });
    return out;
  }

  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   */
  function first(root, sel, feature) {
    return firstWithCss(root, sel, feature).el;
  }

  /**
   * @typedef {{ panel: Element | null, skip: Element | null }} Around the conversation panel and the
   *   element in it that holds the message rows
   */

  /**
   * first(), for a feature that lies in the conversation panel beside its rows (the header, the
   * composer): looked for in the panel outside the element holding the rows, then, when not there,
   * in the whole root. A query that finds nothing walks everything under where it starts: with
   * thousands of rows drawn, each candidate of another WhatsApp generation walked all of them on
   * every read (2 ms a read with 3,000 rows, measured in a replica page).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   * @param {Around} [around]
   * @returns {Element | null}
   */
  function firstAround(root, sel, feature, around) {
    var panel = around && around.panel;
    var skip = around && around.skip;
    if (panel && skip && panel !== skip && panel.contains(skip)) {
      var near = firstIn(besideOf(skip, panel), sel, feature, true).el;
      if (near) return near;
    }
    return first(root, sel, feature);
  }

  /**
   * The elements beside `skip` and beside each of its ancestors below `top`: together with them,
   * everything under `top` but `skip`'s own subtree.
   * @param {Element} skip
   * @param {Element} top an ancestor of skip
   * @returns {Element[]}
   */
  function besideOf(skip, top) {
    /** @type {Element[]} */
    var beside = [];
    for (var a = /** @type {Element | null} */ (skip); a && a !== top; a = a.parentElement) {
      for (var b = a.parentElement ? a.parentElement.firstElementChild : null; b; b = b.nextElementSibling) {
        if (b !== a) beside.push(b);
      }
    }
    return beside;
  }

  /**
   * first(), and the candidate that found it (a caller keeping the element checks it still matches).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} feature
   * @returns {{ el: Element | null, css: string | null }}
   */
  function firstWithCss(root, sel, feature) {
    return firstIn([root], sel, feature, false);
  }

  /**
   * The first element the feature's candidates find, candidate by candidate, each looked for in the
   * regions in turn (a region itself counts when `withSelf`), and the candidate that found it.
   * @param {Root[]} regions
   * @param {Selectors} sel
   * @param {string} feature
   * @param {boolean} withSelf
   * @returns {{ el: Element | null, css: string | null }}
   */
  function firstIn(regions, sel, feature, withSelf) {
    var spec = sel.features[feature];
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length; i++) {
      var css = candidates[i].css;
      for (var j = 0; j < regions.length; j++) {
        try {
          var region = regions[j];
          // querySelector stops at the first: a read runs often
          var found = withSelf && region.nodeType === 1 && /** @type {Element} */ (region).matches(css) ? region : region.querySelector(css);
          if (found) return { el: /** @type {Element} */ (found), css: css };
        } catch (e) {
          break; // a selector this browser rejects counts as "not found"
        }
      }
    }
    return { el: null, css: null };
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
    /** @type {Element[]} */
    var out = [];
    eachSelfAndBelow(el, css, function (n) { out.push(n); });
    return out;
  }

  /**
   * Text with emoji images written as their characters (data-plain-text, else alt);
   * elements in `skip` (a control inside the text) are left out.
   * @param {Node} node
   * @param {Element[]} [skip]
   */
  function textOf(node, skip) {
    var out = "";
    (function walk(/** @type {Node} */ n) {
      if (out.length > MAX_TEXT) return;
      if (n.nodeType === 3) out += n.nodeValue;
      else if (n.nodeType === 1) {
        var e = /** @type {Element} */ (n);
        if (skip && skip.indexOf(e) >= 0) return;
        if (e.tagName === "IMG") out += e.getAttribute("data-plain-text") || e.getAttribute("alt") || "";
        else if (e.tagName === "BR") out += "\n";
        else for (var c = n.firstChild; c; c = c.nextSibling) walk(c);
      }
    })(node);
    return out.slice(0, MAX_TEXT);
  }

  var NON_SPACE = /\S/;

  /** @param {Element} el */
  function hasOwnText(el) {
    for (var c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3 && NON_SPACE.test(c.nodeValue || "")) return true;
      var img = /** @type {Element} */ (c);
      if (c.nodeType === 1 && img.tagName === "IMG" && (img.getAttribute("data-plain-text") || img.getAttribute("alt"))) return true;
    }
    return false;
  }

  // Visible text blocks under root, in order, outside the `skip` elements: each element holding
  // text of its own is one block (with its emoji), and its subtree is not visited again.
  /**
   * @param {Element} root
   * @param {Element[]} skip
   * @param {number} max
   * @returns {string[]}
   */
  function textBlocks(root, skip, max) {
    /** @type {string[]} */
    var out = [];
    (function walk(/** @type {Element} */ el) {
      if (out.length >= max || skip.indexOf(el) >= 0 || el.namespaceURI === SVG) return; // svg titles are labels
      if (el !== root && hasOwnText(el)) {
        var text = textOf(el, skip).trim();
        if (text) out.push(String(cut(text, MAX_ATTR)));
        return;
      }
      for (var c = el.firstElementChild; c; c = c.nextElementSibling) walk(c);
    })(root);
    if (out.length < max && hasOwnText(root)) {
      // text directly in the row itself (rare): read it whole
      var whole = textOf(root, skip).trim();
      if (whole && out.indexOf(whole) < 0) out.unshift(String(cut(whole, MAX_ATTR)));
    }
    return out.slice(0, max);
  }

  /** @param {Selectors} sel */
  function readMoreWords(sel) {
    var d = derived(sel);
    if (!d.readMoreWords) {
      var listed = sel.texts && sel.texts.read_more;
      d.readMoreWords = (Array.isArray(listed) ? listed : []).map(function (w) { return w.toLowerCase(); });
    }
    return d.readMoreWords;
  }

  // A "Read more" control: a candidate element whose own words are one of the known labels.
  /**
   * @param {Element} el
   * @param {Selectors} sel
   */
  function readMoreOf(el, sel) {
    // Only a row with a control (one walk for every candidate) whose text holds one of the labels can
    // have it: most rows are skipped here.
    if (absent(el, sel, "read_more")) return null;
    var words = readMoreWords(sel);
    var all = (el.textContent || "").toLowerCase();
    if (!words.some(function (w) { return all.indexOf(w) >= 0; })) return null;
    var spec = sel.features.read_more;
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length; i++) {
      var found = queryAll(el, candidates[i].css);
      for (var k = 0; k < found.length; k++) {
        if (words.indexOf(textOf(found[k]).trim().toLowerCase()) >= 0) return found[k];
      }
    }
    return null;
  }

  var ATTRS_CSS = "[data-icon], [aria-label], [title], title, [data-testid]";

  /**
   * The query a row's attributes are read with: the wanted classes by name (on WhatsApp nearly every
   * element has classes: visiting every element with a class attribute was most of a row's read)
   * and the attributes, as one list (one walk of the row instead of two), and the classes as a set.
   * @param {Selectors} sel
   */
  function attrsQuery(sel) {
    var d = derived(sel);
    if (d.attrs === null) {
      var wanted = (sel.classes || []).filter(function (c) { return !!c; });
      var css = wanted.map(function (c) { return "." + CSS.escape(c); }).concat([ATTRS_CSS]).join(", ");
      d.attrs = { css: accepted(css) ? css : ATTRS_CSS, classes: new Set(wanted), wanted: wanted };
    }
    return d.attrs;
  }

  var SPACES = /[ \t\n\f\r]+/; // how a class attribute splits into tokens (classList's ASCII whitespace)

  /**
   * Whether a class attribute may hold one of the wanted classes (a substring test, before splitting it).
   * @param {string} cls
   * @param {string[]} wanted
   */
  function holdsAny(cls, wanted) {
    for (var i = 0; i < wanted.length; i++) if (cls.indexOf(wanted[i]) >= 0) return true;
    return false;
  }

  /**
   * fn on el when it matches css, then on each element under it that does, in document order.
   * @param {Element} el
   * @param {string} css
   * @param {(n: Element) => void} fn
   */
  function eachSelfAndBelow(el, css, fn) {
    if (el.matches(css)) fn(el);
    var found = el.querySelectorAll(css);
    for (var i = 0; i < found.length; i++) fn(found[i]);
  }

  /**
   * A row's classes (those the table lists in `classes`), icons, labels (aria-label, title, svg <title>) and testids, each in
   * document order, and its 2026 conv-msg testid: one query for all of them (a read of a row
   * is a dozen queries; each costs about as much as the walk it saves).
   * @param {Element} el
   * @param {Selectors} sel
   */
  function rowAttributes(el, sel) {
    var out = { classes: /** @type {string[]} */ ([]), icons: /** @type {(string | null)[]} */ ([]),
      labels: /** @type {(string | null)[]} */ ([]), testids: /** @type {(string | null)[]} */ ([]),
      convMsg: /** @type {string | null} */ (null) };
    var query = attrsQuery(sel);
    eachSelfAndBelow(el, query.css, function (n) {
      var cls = query.wanted.length ? n.getAttribute("class") : null;
      // WhatsApp's elements carry many hashed classes: split only the attribute holding a wanted one
      if (cls && holdsAny(cls, query.wanted)) {
        var tokens = cls.split(SPACES);
        for (var i = 0; i < tokens.length; i++) if (query.classes.has(tokens[i])) out.classes.push(tokens[i]);
      }
      var icon = n.getAttribute("data-icon");
      if (icon !== null) out.icons.push(icon);
      if (n.localName === "title") out.labels.push((n.textContent || "").trim()); // svg <title>: wds-ic-read …
      else {
        var label = n.getAttribute("aria-label");
        if (label !== null) out.labels.push(label);
        var title = n.getAttribute("title");
        if (title !== null) out.labels.push(title);
      }
      var testid = n.getAttribute("data-testid");
      if (testid !== null) {
        out.testids.push(testid);
        if (out.convMsg === null && testid.indexOf("conv-msg-") === 0) out.convMsg = testid;
      }
    });
    return out;
  }

  /**
   * @param {Element} el
   * @param {string} name
   * @param {number} max
   */
  function attrsOf(el, name, max) {
    return distinct(selfAndBelow(el, "[" + name + "]").map(function (n) { return n.getAttribute(name); }), max);
  }

  // The quote's parts: its text (.quoted-mention), its author line (the rest), an id if drawn.
  /**
   * @param {Element} quoted
   * @param {Selectors} sel
   */
  function readQuote(quoted, sel) {
    var mention = first(quoted, sel, "quoted_text");
    var spec = sel.features.quoted_text;
    if (!mention && spec &&
        spec.candidates.some(function (c) { try { return quoted.matches(c.css); } catch (e) { return false; } })) {
      mention = quoted; // the quote block is the mention itself (older layout)
    }
    var idEl = selfAndBelow(quoted, "[data-id]")[0];
    var author = mention && mention !== quoted ? textBlocks(quoted, [mention], 1)[0] || null : null;
    return {
      text: mention ? textOf(mention) : textOf(quoted),
      author: author ? cut(author, MAX_ATTR) : null,
      id: idEl ? cut(idEl.getAttribute("data-id"), MAX_ATTR) : null,
    };
  }

  /**
   * @param {Element} el
   * @param {Selectors} sel
   * @param {string[]} [dayLabels]
   * @returns {Mettri.capture.RawMessageNode}
   */
  function readMessageNode(el, sel, dayLabels) {
    var idEl = el.hasAttribute("data-id") ? el : el.querySelector("[data-id]");
    var attrs = rowAttributes(el, sel);
    var pre = first(el, sel, "pre_plain_text");
    var plain = noneRare(el, sel); // most rows: no quote, no media, no virtualized part
    var quoted = plain || absent(el, sel, "quoted") ? null : first(el, sel, "quoted");
    var quote = quoted ? readQuote(quoted, sel) : null;
    var texts = match(el, sel, "message_text").els.filter(function (t) { return !(quoted && quoted.contains(t)); });
    var more = readMoreOf(el, sel);
    var skip = /** @type {Element[]} */ ([texts[0], quoted, more].filter(Boolean));
    return {
      data_id: idEl ? cut(idEl.getAttribute("data-id"), MAX_ATTR) : null,
      testid: attrs.convMsg ? cut(attrs.convMsg, MAX_ATTR) : null,
      classes: distinct(attrs.classes, MAX_LIST),
      pre_plain_text: pre ? cut(pre.getAttribute("data-pre-plain-text"), MAX_ATTR) : null,
      text: texts.length ? textOf(texts[0], more ? [more] : undefined) : "",
      quoted: quote ? quote.text : null,
      quoted_author: quote ? quote.author : null,
      quoted_id: quote ? quote.id : null,
      icons: distinct(attrs.icons, MAX_LIST),
      labels: distinct(attrs.labels, MAX_LIST),
      testids: distinct(attrs.testids, MAX_LIST),
      has_media: !plain && !absent(el, sel, "media") && first(el, sel, "media") !== null,
      virtualized: (!plain && first(el, sel, "virtualized") !== null) || (el.matches && el.matches('[data-virtualized="true"]')),
      texts: textBlocks(el, skip, MAX_LIST),
      day_labels: (dayLabels || []).slice(0, 3),
      truncated: !!more,
    };
  }

  // Nothing but an id: a virtualized row not drawn yet, or a separator. Not sent; read again later.
  /** @param {Mettri.capture.RawMessageNode} node */
  function isBlank(node) {
    return node.virtualized || !(node.pre_plain_text || (node.text || "").trim() || (node.texts || []).length ||
      (node.labels || []).length || (node.icons || []).length || node.has_media || node.quoted);
  }

  // For each message row, the texts of the nearest rows above it that are not messages (day
  // dividers, the unread divider), nearest first: the core reads dates from them.
  // A caller that labelled the rows before `from` in an earlier read passes the labels of
  // rows[from - 1] (`seed`): the conversation's rows are then walked from that row's on, not from
  // the top.
  /**
   * @typedef {{
   *   keys?: (string | null)[],
   *   from?: number,
   *   seed?: string[],
   *   dividers?: Element[],
   *   shape?: { css: string | null, parent: Element | null },
   *   given?: { css: string, els: Element[] },
   * }} DayOptions
   *   keys: the rows' keys (rowKey), where the caller has them (from `from` on);
   *   from: label rows[from] onwards only; seed: the labels of
   *   rows[from - 1]; dividers: gets the rows that are not messages the walk met; shape: told the
   *   candidate that found the conversation's rows and, when they all have one parent (none inside
   *   another), that parent; given: the conversation's rows from the one holding rows[from - 1] on,
   *   found by the caller (capture's read of rows put in at the end), instead of querying every row
   */
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {Element[]} rows
   * @param {DayOptions} [options]
   * @returns {Map<Element, string[]>}
   */
  function dayLabels(root, sel, rows, options) {
    var o = options || {};
    var keys = o.keys;
    /** @param {number} k */
    var keyAt = function (k) { return keys ? keys[k] : rowKey(rows[k]); };
    var from = o.from || 0;
    var seed = o.seed;
    var dividers = o.dividers;
    var shape = o.shape;
    var given = o.given;
    /** @type {Map<Element, string[]>} */
    var out = new Map();
    var found = given || match(root, sel, "conversation_row");
    var all = found.els;
    // given: siblings by the caller's making
    var parent = given ? null : all.length ? all[0].parentElement : null;
    for (var j = 1; parent && j < all.length; j++) if (all[j].parentElement !== parent) parent = null;
    if (shape && !given) {
      shape.css = found.css;
      shape.parent = parent;
    }
    var siblings = !!given || parent !== null;
    if (!all.length || !rows.length) return out;
    var begin = 0;
    /** @type {string[]} */
    var recent = [];
    if (from > 0 && seed && found.css) {
      var own = rows[from - 1].closest(found.css);
      var at = own ? all.indexOf(own) : -1;
      if (at >= 0) {
        begin = at; // its own row carries the seed (a row after it may share that row)
        recent = seed;
      }
    }
    /** @type {Map<Element, string[]>} */
    var labelsAt = new Map();
    // Sibling conversation rows hold the message rows in their order: a row holding the next
    // message row, which has a key, is a message's without asking for its own (a query per row
    // drawn; a row holding a keyed element has a key).
    var next = from;
    for (var i = begin; i < all.length; i++) {
      var r = all[i];
      if (siblings && next < rows.length && keyAt(next) !== null && (rows[next] === r || r.contains(rows[next]))) {
        do out.set(rows[next++], recent); while (next < rows.length && (rows[next] === r || r.contains(rows[next])));
        continue;
      }
      if (rowKey(r) === null) {
        if (dividers) dividers.push(r);
        var text = textOf(r).trim();
        if (text && text.length <= 64) recent = [text].concat(recent).slice(0, 3);
      } else labelsAt.set(r, recent);
    }
    for (var k = next; k < rows.length; k++) {
      for (var p = /** @type {Element | null} */ (rows[k]); p; p = p.parentElement) {
        var labels = labelsAt.get(p);
        if (labels) { out.set(rows[k], labels); break; }
        if (p === root) break;
      }
    }
    return out;
  }

  /**
   * Message rows of the open conversation, outermost matches only, in DOM order.
   * Linear in the matches: a backfilled chat renders thousands of rows.
   * @param {Root} root
   * @param {Selectors} sel
   * @param {{ css: string | null }} [used] told the candidate that found them
   */
  function messageRows(root, sel, used) {
    var found = match(root, sel, "message_row");
    if (used) used.css = found.css;
    return outermost(found.els);
  }

  /**
   * The elements of a list in document order that lie inside none of the others.
   * @param {Element[]} els
   */
  function outermost(els) {
    /** @type {Element | null} */
    var outer = null;
    // In document order a row's descendants come right after it: a match inside an earlier
    // outermost row lies inside the last one kept.
    return els.filter(function (el) {
      if (outer && outer.contains(el)) return false;
      outer = el;
      return true;
    });
  }

  /**
   * A test of an element and its ancestors up to `stop` (excluded): true when `hit` holds for one of
   * them. Each element's answer is remembered on the way up: rows share their ancestors, so each
   * is looked at once, not once per row below it. Valid while what `hit` reads does not change.
   * @param {(el: Element) => boolean} hit
   * @param {Element | null} stop
   * @returns {(el: Element | null) => boolean}
   */
  function upwardTest(hit, stop) {
    /** @type {Map<Element, boolean>} */
    var known = new Map();
    return function (el) {
      /** @type {Element[]} */
      var path = [];
      var found = false;
      for (var p = el; p && p !== stop; p = p.parentElement) {
        var k = known.get(p);
        if (k !== undefined) { found = k; break; }
        path.push(p);
        if (hit(p)) { found = true; break; }
      }
      path.forEach(function (q) { known.set(q, found); });
      return found;
    };
  }

  /**
   * messageRows(root, sel).length <= 1, without building the list: the matches all lie inside the
   * first one, i.e. (in document order, where its descendants come right after it) the last one does.
   * Asked on every change of the open conversation.
   * @param {Root} root
   * @param {Selectors} sel
   */
  function atMostOneRow(root, sel) {
    var spec = sel.features.message_row;
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length; i++) {
      var found;
      try {
        found = root.querySelectorAll(candidates[i].css);
      } catch (e) {
        continue; // a selector this browser rejects counts as "not found"
      }
      if (found.length) return found[0].contains(found[found.length - 1]);
    }
    return true;
  }

  var ROW_KEY_CSS = '[data-id], [data-testid^="conv-msg-"]';

  /**
   * How many row keys (what rowKey reads: a data-id, or the 2026 conv-msg testid) a node holds,
   * itself and below, counted up to `atMost`. Needs no selector of the page's shape: a node taken
   * out of the page no longer matches selectors that name its old ancestors.
   * @param {Node} node
   * @param {number} atMost
   */
  function rowKeysIn(node, atMost) {
    if (node.nodeType !== 1 || atMost <= 0) return 0;
    var el = /** @type {Element} */ (node);
    var n = el.matches(ROW_KEY_CSS) ? 1 : 0;
    if (n >= atMost) return n;
    return Math.min(atMost, n + (atMost - n === 1 ? (el.querySelector(ROW_KEY_CSS) ? 1 : 0) : el.querySelectorAll(ROW_KEY_CSS).length));
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

  // A name as drawn: the title attribute, else the text with its emoji images.
  /** @param {Element} el */
  function nameOf(el) {
    return el.getAttribute("title") || textOf(el);
  }

  // The open chat's row in the chat list: the selected one, else the one titled like the header.
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {string} title
   */
  function openChatRow(root, sel, title) {
    var selected = first(root, sel, "selected_chat_row");
    if (selected) return selected;
    var rows = match(root, sel, "chat_row").els;
    for (var i = 0; i < rows.length; i++) {
      var t = first(rows[i], sel, "row_title");
      if (t && nameOf(t).trim() === title.trim()) return rows[i];
    }
    return null;
  }

  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {Around} [around] where the conversation's rows are: the header and the composer are
   *   looked for around them first
   * @returns {Mettri.capture.ChatFacts & { title: string }}
   */
  function readChatHeader(root, sel, around) {
    var header = firstAround(root, sel, "chat_header", around);
    // The header's parts are looked for inside it (a query that finds nothing walks the whole page,
    // thousands of message elements, on every read); the title anywhere when it is not there.
    var within = header || root;
    var title = first(within, sel, "chat_header_title") || (header ? first(root, sel, "chat_header_title") : null);
    var composer = firstAround(root, sel, "composer", around);
    var name = title ? nameOf(title) : "";
    var subtitle = match(within, sel, "chat_header_subtitle").els.filter(function (s) {
      return !(title && (title === s || title.contains(s) || s.contains(title))) && s.getAttribute("title") !== name;
    })[0];
    var row = name ? openChatRow(root, sel, name) : null;
    var badge = row ? first(row, sel, "unread_badge") : null;
    var avatar = first(within, sel, "header_avatar");
    return {
      title: String(cut(name, MAX_ATTR)),
      header_testid: header ? cut(header.getAttribute("data-testid"), MAX_ATTR) : null,
      composer_label: composer ? cut(composer.getAttribute("aria-label"), MAX_ATTR) : null,
      subtitle: subtitle ? cut(subtitle.getAttribute("title"), MAX_ATTR) : null,
      list_row: !!row,
      unread_label: badge ? cut(badge.getAttribute("aria-label"), MAX_ATTR) : null,
      unread_text: badge ? cut(badge.textContent.trim(), 64) || null : null,
      header_texts: headerTexts(within, sel, title),
      avatar: avatar ? cut(avatar.getAttribute("src"), FACTS.avatar.maxLength) : null,
    };
  }

  // The header's other lines (a phone number, "~ push name", the participants), each once.
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @param {Element | null} titleEl
   */
  function headerTexts(root, sel, titleEl) {
    var els = match(root, sel, "chat_header_texts").els.filter(function (e) {
      return !(titleEl && (titleEl === e || titleEl.contains(e) || e.contains(titleEl)));
    });
    return distinct(els.map(function (e) { return nameOf(e); }), FACTS.header_texts.maxItems);
  }

  // The contact-info drawer, when it is open: its name and its other lines (the phone number).
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @returns {Mettri.capture.DrawerFacts | null}
   */
  function readDrawer(root, sel) {
    var drawer = first(root, sel, "contact_drawer");
    if (!drawer) return null;
    var title = first(drawer, sel, "drawer_title");
    var lines = match(drawer, sel, "drawer_lines").els.filter(function (e) { return !(title && (e === title || title.contains(e))); });
    return {
      title: title ? cut(nameOf(title), DRAWER.title.maxLength) : null,
      texts: distinct(lines.map(function (e) { return textOf(e).trim(); }), DRAWER.texts.maxItems),
    };
  }

  // Chat-list rows (or search results) with a name, in order: section headers have none.
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @returns {{ el: Element, title: string }[]}
   */
  function chatRows(root, sel) {
    /** @type {{ el: Element, title: string }[]} */
    var out = [];
    // The first candidate whose rows have names: a list can hold rows of another shape too (the
    // search results' section headers are rows without a name, even where chats are list items).
    var spec = sel.features.chat_row;
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length && !out.length; i++) {
      queryAll(root, candidates[i].css).forEach(function (el) {
        var t = first(el, sel, "row_title");
        var name = t ? nameOf(t) : "";
        if (name.trim()) out.push({ el: el, title: String(cut(name, MAX_ATTR)) });
      });
    }
    // Drawn order, not DOM order: a virtualized list positions its rows.
    var tops = placedTops(out.map(function (r) { return r.el; }));
    var order = out.map(function (_, i) { return i; });
    order.sort(function (a, b) { return tops[a] - tops[b] || a - b; });
    return order.map(function (i) { return out[i]; });
  }

  // The offset a virtualized list gives a row in its inline style: WhatsApp positions each chat row
  // with transform: translateY(Ypx) (docs/whatsapp-dom.md), on the row or a wrapper a few levels up.
  // The y offset in pixels (a bare 0 is one too); a percentage or another unit is not read.
  var PLACED = /translate(?:Y\(|3d\([^,()]*,\s*|\([^,()]*,\s*)\s*(-?\d+(?:\.\d+)?)(?:px)?\s*[),]/;
  var PLACED_DEPTH = 6;

  /**
   * Each element's vertical place in its list: read from the inline transforms when every element has
   * one of its own (no layout: a read asks for the list while WhatsApp is still changing the page, and
   * a measure there makes the browser lay the page out at once), else measured, once per element.
   * @param {Element[]} els
   * @returns {number[]}
   */
  function placedTops(els) {
    /** @type {number[]} */
    var tops = [];
    var holders = new Set();
    for (var i = 0; i < els.length; i++) {
      var e = /** @type {Element | null} */ (els[i]);
      var found = null;
      for (var depth = 0; e && depth < PLACED_DEPTH && found === null; depth++, e = e.parentElement) {
        var style = e.getAttribute("style");
        var m = style && style.indexOf("translate") >= 0 ? PLACED.exec(style) : null;
        if (m) {
          found = Number(m[1]);
          holders.add(e);
        }
      }
      if (found === null) break;
      tops.push(found);
    }
    // A transform shared by two rows places their list, not them.
    if (tops.length === els.length && holders.size === els.length) return tops;
    return els.map(function (el) { return el.getBoundingClientRect().top; });
  }

  /**
   * Names of the chat-list rows drawn now (two rows of one name show here).
   * @param {Root} root
   * @param {Selectors} sel
   */
  function listTitles(root, sel) {
    return chatRows(root, sel).slice(0, FACTS.list_titles.maxItems).map(function (r) { return r.title; });
  }

  /**
   * The keys of the open conversation's rows, newest last (what identity.verify looks up).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {number} max
   */
  function rowKeys(root, sel, max) {
    var keys = /** @type {string[]} */ ([]);
    messageRows(root, sel).forEach(function (el) {
      var k = rowKey(el);
      if (k) keys.push(String(cut(k, MAX_ATTR)));
    });
    return keys.slice(-max);
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
    var days = dayLabels(root, sel, rows);
    return {
      chat: readChatHeader(root, sel),
      nodes: rows.map(function (el) { return readMessageNode(el, sel, days.get(el)); }),
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
    var name = title ? nameOf(title).trim() : "";
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

  // The page-level features that are the message rows themselves: every other one is drawn beside
  // them (the panel, the header, the composer, the chat list, popups), or around them.
  var ROW_FEATURES = ["message_row", "conversation_row"];

  /**
   * Which candidate of every page-level feature matches, and how often (selftest.report).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {Element | null} [holder] the element holding the open conversation's message rows, if known
   */
  function probe(root, sel, holder) {
    // Each candidate that finds nothing walks every row drawn (a fallback of another generation, a
    // banner that is not there): 5-11 ms a probe with 3,000 rows. Told where the rows are, only the
    // rows' own features are looked for among them; the element holding them and its ancestors are
    // asked only whether they match themselves (the message list, the panel).
    var apart = apartFrom(root, holder || null);
    /** @type {Record<string, Mettri.whatsapp.ProbeResult & { count: number }>} */
    var out = {};
    Object.keys(sel.features).forEach(function (name) {
      if (sel.features[name].scope !== "page") return;
      out[name] = probed(root, apart && ROW_FEATURES.indexOf(name) < 0 ? apart : null, sel, name);
    });
    return out;
  }

  /**
   * match(), counted: apart from the rows when `apart` is given, else in the whole root, where the
   * list's length is read without an element of it made in the caller's world (the content script's
   * isolated world makes an object for each element it first meets, and the rows are thousands).
   * @param {Root} root
   * @param {Apart | null} apart
   * @param {Selectors} sel
   * @param {string} feature
   * @returns {Mettri.whatsapp.ProbeResult & { count: number }}
   */
  function probed(root, apart, sel, feature) {
    var spec = sel.features[feature];
    var candidates = spec ? spec.candidates : [];
    for (var i = 0; i < candidates.length; i++) {
      var css = candidates[i].css;
      var n = 0;
      try {
        n = apart ? matchedBy(apart.regions, apart.chain, css).length : root.querySelectorAll(css).length;
      } catch (e) {
        continue; // a selector this browser rejects counts as "not found"
      }
      if (n) return { matched: css, count: n };
    }
    return { matched: null, count: 0 };
  }

  // Blocks of the app shell whose words look like a WhatsApp warning (sel.texts.warning), wherever
  // they are drawn; chats, messages and what people type are never read here.
  /**
   * @param {Root} root
   * @param {Selectors} sel
   * @returns {string[]}
   */
  function warningTexts(root, sel) {
    var source = sel.texts && sel.texts.warning;
    if (typeof source !== "string" || !source) return [];
    /** @type {RegExp} */
    var pattern;
    try { pattern = new RegExp(source, "i"); } catch (e) { return []; }
    // Each element the walk meets is asked whether it is one to skip: the walk meets only the few
    // outside them, where querying the page for them first walked the whole conversation (1.5 ms a
    // check with 3,000 rows drawn).
    var skip = anyOf(sel, "shell_skip");
    /** @type {string[]} */
    var out = [];
    matchAll(root, sel, "shell").forEach(function (shell) {
      var walker = (shell.ownerDocument || document).createTreeWalker(shell, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode: function (/** @type {Node} */ n) {
          if (n.nodeType === 1) return skip && /** @type {Element} */ (n).matches(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP;
          return pattern.test(n.nodeValue || "") ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
        },
      });
      for (var t = walker.nextNode(); t && out.length < 10; t = walker.nextNode()) {
        // the whole block the words sit in (a title and its body), not just the text node
        var block = t.parentElement;
        if (!block) continue;
        for (var up = 0; up < 3 && block.parentElement && block.parentElement !== shell &&
          textOf(block.parentElement).length <= 500; up++) block = block.parentElement;
        out.push(textOf(block).trim());
      }
    });
    return out;
  }

  /**
   * @typedef {{ regions: Element[], chain: Element[] }} Apart everything under a root but what one
   *   element holds: the regions beside it (queried with what they hold), and that element with its
   *   ancestors up to the root (asked only whether they match themselves)
   */
  /**
   * @param {Root} root
   * @param {Element | null} skip
   * @returns {Apart | null} null when skip is not under root (then root is queried whole)
   */
  function apartFrom(root, skip) {
    var top = root.nodeType === 9 ? /** @type {Document} */ (root).documentElement : /** @type {Element} */ (root);
    if (!skip || !top || skip === top || !skip.isConnected || !top.contains(skip)) return null;
    /** @type {Element[]} */
    var chain = [skip];
    for (var a = skip.parentElement; a; a = a.parentElement) {
      chain.unshift(a);
      if (a === top) break;
    }
    var regions = besideOf(skip, top).sort(function (x, y) {
      return x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    return { regions: regions, chain: chain };
  }

  /**
   * Whether a candidate of the feature matches anything under root (outside `apart`'s skipped subtree).
   * @param {Root} root
   * @param {Apart | null} apart
   * @param {Selectors} sel
   * @param {string} feature
   */
  function foundApart(root, apart, sel, feature) {
    if (!apart) return first(root, sel, feature) !== null; // single queries: Chrome's fast paths (an id)
    if (firstIn(apart.regions, sel, feature, true).el) return true;
    var css = anyOf(sel, feature);
    return !!css && apart.chain.some(function (el) { return el.matches(css); });
  }

  /**
   * Facts for connection.report (tab_id and observed_at are the caller's).
   * @param {Root} root
   * @param {Selectors} sel
   * @param {Element | null} [holder] the element holding the open conversation's message rows, if known
   */
  function readConnection(root, sel, holder) {
    // Asked every second: with thousands of message rows drawn, each query that finds nothing (the
    // QR code, the offline banner, most of the time) walked all of them. None of these is drawn
    // among the messages: the element holding them, when the caller knows it, is left out.
    var apart = apartFrom(root, holder || null);
    // Popups and in-app alert banners: the core matches their text against ban signals.
    /** @param {string} f */
    var every = function (f) { return apart ? matchEach(apart.regions, apart.chain, sel, f) : matchAll(root, sel, f); };
    var popups = every("popups").concat(every("alerts"));
    var texts = popups.map(function (p) { return textOf(p).trim(); }).concat(warningTexts(root, sel));
    return {
      logged_in: foundApart(root, apart, sel, "logged_in"),
      qr: foundApart(root, apart, sel, "qr_code"),
      offline: foundApart(root, apart, sel, "offline_banner"),
      banners: distinct(texts, MettriProtocol.connection.bounds.ConnectionReport.banners.maxItems),
    };
  }

  return {
    readMessageNode: readMessageNode,
    isBlank: isBlank,
    dayLabels: dayLabels,
    readMoreOf: readMoreOf,
    warningTexts: warningTexts,
    anyOf: anyOf,
    messageRows: messageRows,
    outermost: outermost,
    selfAndBelow: selfAndBelow,
    atMostOneRow: atMostOneRow,
    rowKey: rowKey,
    rowKeysIn: rowKeysIn,
    upwardTest: upwardTest,
    first: first,
    firstWithCss: firstWithCss,
    match: match,
    nameOf: nameOf,
    readChatHeader: readChatHeader,
    readDrawer: readDrawer,
    chatRows: chatRows,
    listTitles: listTitles,
    rowKeys: rowKeys,
    readBatch: readBatch,
    readChatRow: readChatRow,
    probe: probe,
    readConnection: readConnection,
  };
})();
