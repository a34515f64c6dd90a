// Conversation panel: renders a window of the newest messages, loads older ones after a delay
// when scrolled to the top, and renders only the last message while the tab is hidden (E).
// Optional (config.placeholders = N): rows older than the newest N at open are drawn as empty
// placeholders and filled when scrolled into view (E: data-virtualized rows filled in later).
import { h, tid, richText } from './dom.js';
import { store, chatTitle, senderName, pushName, formatPhone } from './store.js';
import { t, prePlainText, fmtTime, fmtDay, sameDay, fmtDuration, fmtDocLine } from './i18n.js';

// Longer texts are drawn cut, with a "Read more" control; the rest enters the DOM only when it is
// clicked (E: behaviour; R: the cut length and the markup).
export const TEXT_CUT = 700;
const PLACEHOLDER_FILL_MS = 40; // R: how long an empty row waits in view before it is filled

const TICK_ICON = { pending: 'msg-time', sent: 'msg-check', delivered: 'msg-dblcheck', read: 'msg-dblcheck' }; // E
const TICK_SVG = { pending: 'wds-ic-pending', sent: 'wds-ic-sent', delivered: 'wds-ic-delivered', read: 'wds-ic-read' }; // E for read/delivered

let imageUrls = null;
function imageUrl(id) {
  // Thumbnails are blob: URLs (E); one tiny SVG per colour, shared.
  if (!imageUrls) {
    imageUrls = ['#c8e6c9', '#ffe0b2', '#bbdefb', '#f8bbd0'].map((c) => URL.createObjectURL(new Blob(
      [`<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160"><rect width="240" height="160" fill="${c}"/></svg>`],
      { type: 'image/svg+xml' })));
  }
  return imageUrls[id.charCodeAt(id.length - 1) % imageUrls.length];
}

// data-id per generation (E): 2024-25 "<from_me>_<chat>_<id>[_<participant>]", 2026 bare id.
export function dataId(m, gen) {
  if (gen === '2026') return m.id;
  const base = `${m.from_me ? 'true' : 'false'}_${m.chat}_${m.id}`;
  if (m.chat.endsWith('@g.us') && !m.from_me && m.sender) return `${base}_${m.sender}`;
  return base;
}

export class Conversation {
  constructor(ui, chatId) {
    this.ui = ui;
    this.chatId = chatId;
    this.windowSize = 40;
    const all = store.messages.get(chatId) || [];
    this.start = Math.max(0, all.length - this.windowSize);
    this.loading = false;
    // Placeholders: messages before this index are drawn empty until they scroll into view.
    this.fullFrom = ui.config.placeholders > 0 ? Math.max(0, all.length - ui.config.placeholders) : 0;
    this.filled = new Set();
    this.expanded = new Set(); // long texts whose "Read more" was clicked
    this.observer = null;
    this.el = this.build();
  }

  get chat() { return store.chats.get(this.chatId); }

  build() {
    const { gen, lang } = this.ui;
    const s = t(lang);
    const chat = this.chat;
    const title = chatTitle(chat);
    const sub = chat.kind === 'group'
      ? (chat.participants || []).map((p) => senderName(p.jid)).join(', ') // E: group headers list participants
      : chat.kind === 'user' && !chat.saved && chat.push_name ? `~ ${chat.push_name}` : '';
    // Emoji in names are <img alt data-plain-text> (E); 2026 wraps the title in its testid element (R).
    const titleEl = h('span', { dir: 'auto', title }, richText(title));
    this.header = h('header', { 'data-testid': tid(gen, 'conversation-header'), class: 'conv-header' },
      h('div', { class: 'avatar' }, (title.replace(/[^\p{L}\d]/gu, '')[0] || '?').toUpperCase()),
      h('div', { class: 'conv-title', onclick: () => this.ui.openDrawer && this.ui.openDrawer(this.chatId) },
        gen === '2026' ? h('div', { 'data-testid': 'conversation-info-header-chat-title' }, titleEl) : titleEl,
        sub ? h('span', { class: 'conv-sub', title: sub }, sub) : null));
    this.list = h('div', gen === '2026'
      ? { 'data-tab': '8', role: 'application', class: 'msg-list' }
      : { role: 'application', class: 'msg-list' });
    this.scroller = h('div', gen === '2026'
      ? { 'data-testid': 'conversation-panel-messages', class: 'msg-scroller', tabindex: '-1' }
      : { 'data-scrolltracepolicy': 'wa.web.conversation.messages', class: 'msg-scroller', tabindex: '-1' }, this.list);
    this.scroller.addEventListener('scroll', () => this.onScroll());
    this.body = h('div', { 'data-testid': tid(gen, 'conversation-panel-body'), class: 'conv-body' }, this.scroller);
    this.footerSlot = h('div', { class: 'footer-slot' });
    const main = h('div', {
      id: 'main', class: 'conv-panel', 'data-testid': tid(gen, 'conversation-panel-wrapper'),
    }, this.header, this.body, this.footerSlot);
    this.render();
    return main;
  }

  onScroll() {
    if (this.scroller.scrollTop > 40 || this.loading || this.start === 0 || this.ui.isHidden()) return;
    this.loading = true;
    this.ui.olderLoads.asked += 1;
    const spinner = h('div', { role: 'row', class: 'loading-older', 'aria-label': t(this.ui.lang).loadingOlder }, t(this.ui.lang).loadingOlder);
    this.list.prepend(spinner);
    setTimeout(() => {
      this.loading = false;
      this.ui.olderLoads.done += 1;
      if (!this.el.isConnected) return;
      const before = this.scroller.scrollHeight - this.scroller.scrollTop;
      const to = this.start;
      this.start = Math.max(0, this.start - this.ui.config.olderBatch);
      // The older rows go in above the drawn ones, which stay the same elements (R: a keyed list
      // such as React's keeps its rows); a hidden tab draws its last message alone, as ever.
      if (this.ui.isHidden()) this.render();
      else {
        spinner.remove();
        const all = store.messages.get(this.chatId) || [];
        this.list.prepend(...this.rowsFor(all, this.start, to));
        this.watchPlaceholders();
      }
      this.scroller.scrollTop = this.scroller.scrollHeight - before;
    }, this.ui.config.olderDelay);
  }

  // The rows of all[from..to) as a full render draws them: the "older messages are on your phone"
  // row at the very start, day dividers, the unread divider, placeholders.
  rowsFor(all, from, to) {
    const s = t(this.ui.lang);
    const rows = [];
    if (from === 0 && all.length) rows.push(h('div', { role: 'row', class: 'system-row older-phone' }, h('span', null, s.olderFromPhone)));
    const unread = this.unreadAtOpen || 0;
    const dividerAt = unread > 0 ? all.length - unread : -1;
    let prev = all[from - 1] || null;
    for (let idx = from; idx < to; idx++) {
      const m = all[idx];
      if (!prev || !sameDay(prev.ts * 1000, m.ts * 1000)) {
        rows.push(h('div', { role: 'row', class: 'system-row day' }, h('span', null, fmtDay(m.ts * 1000, this.ui.lang)))); // E: rows without pre-plain-text
      }
      if (idx === dividerAt) rows.push(this.unreadRow(unread));
      const firstOfRun = !prev || prev.from_me !== m.from_me || prev.sender !== m.sender || prev.type === 'system';
      const empty = idx < this.fullFrom && !this.filled.has(m.id);
      rows.push(empty ? this.placeholder(m, firstOfRun) : this.row(m, firstOfRun));
      prev = m;
    }
    return rows;
  }

  unreadRow(unread) {
    const label = t(this.ui.lang).unreadDivider(unread);
    return h('div', { role: 'row', class: 'system-row unread-divider' }, h('div', { 'aria-label': label }, label));
  }

  // A hidden tab: the last message alone (with the unread divider when it is the one unread).
  lastAlone(all) {
    if (!all.length) return [];
    const unread = this.unreadAtOpen || 0;
    const rows = [];
    if (unread === 1) rows.push(this.unreadRow(1));
    rows.push(this.row(all[all.length - 1], true));
    return rows;
  }

  // Full re-render of the current window (or just the last message when hidden).
  render(stickBottom = false) {
    const all = store.messages.get(this.chatId) || [];
    const hidden = this.ui.isHidden();
    const atBottom = stickBottom || this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 80;
    // hidden: the last message alone, without its day divider (E: "only the last message renders")
    const rows = hidden ? this.lastAlone(all) : this.rowsFor(all, this.start, all.length);
    if (this.ui.config.keepRows && !hidden) this.keepRows(rows);
    else this.list.replaceChildren(...rows);
    this.list.setAttribute('data-virtualized', 'true');
    const first = this.firstRender !== false;
    if (atBottom || first) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.firstRender = false;
    }
    if (first) {
      // A chat just opened may not be laid out yet: scroll to the newest once it is, and only then
      // watch the placeholders, so the oldest rows are never "seen" on the way down.
      requestAnimationFrame(() => {
        this.scroller.scrollTop = this.scroller.scrollHeight;
        this.watchPlaceholders();
      });
    } else this.watchPlaceholders();
  }

  // rows=kept: a row drawn as before stays the same element, in place (R: a keyed list such as
  // React's keeps its rows); only new, changed or gone rows touch the DOM.
  keepRows(rows) {
    const byHtml = new Map();
    for (const el of this.list.children) {
      const k = el.outerHTML;
      if (!byHtml.has(k)) byHtml.set(k, []);
      byHtml.get(k).push(el);
    }
    const next = rows.map((r) => byHtml.get(r.outerHTML)?.shift() || r);
    const keep = new Set(next);
    for (const el of [...this.list.children]) if (!keep.has(el)) el.remove();
    let at = this.list.firstElementChild;
    for (const r of next) {
      if (r === at) at = at.nextElementSibling;
      else this.list.insertBefore(r, at);
    }
  }

  // An empty row of the right height: 2024-25 keep the data-virtualized wrapper (E), 2026 an
  // empty container without the attribute (R: "and similar").
  placeholder(m, firstOfRun) {
    const gen = this.ui.gen;
    const inner = gen === '2026'
      ? h('div', { 'data-testid': 'msg-container', class: 'msg placeholder', style: 'height:48px' })
      : h('div', { 'data-virtualized': 'true', class: 'placeholder', style: 'height:48px' });
    const row = h('div', { role: 'row' }, h('div', {
      tabindex: '-1', 'data-id': dataId(m, gen), 'data-testid': gen === '2026' ? `conv-msg-${m.id}` : null, class: 'msg-row',
    }, inner));
    row.__id = m.id;
    row.__fill = () => {
      this.filled.add(m.id);
      if (row.isConnected) row.replaceWith(this.row(m, firstOfRun));
    };
    return row;
  }

  watchPlaceholders() {
    if (this.observer) this.observer.disconnect();
    const empty = [...this.list.children].filter((r) => r.__fill);
    if (!empty.length) return;
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        this.observer.unobserve(e.target);
        setTimeout(() => e.target.__fill(), PLACEHOLDER_FILL_MS);
      }
    }, { root: this.scroller });
    for (const r of empty) this.observer.observe(r);
  }

  placeholders() {
    return [...this.list.children].filter((r) => r.__fill && r.isConnected)
      .map((r) => r.__id);
  }

  row(m, firstOfRun) {
    const { gen, lang } = this.ui;
    const s = t(lang);
    if (m.type === 'system') {
      return h('div', { role: 'row', class: 'system-row' }, h('div', { tabindex: '-1', 'data-id': dataId(m, gen), 'data-testid': gen === '2026' ? `conv-msg-${m.id}` : null },
        h('span', { dir: 'auto' }, richText(m.text || ''))));
    }
    const group = m.chat.endsWith('@g.us');
    const name = m.from_me ? (store.me.name) : group && m.sender ? senderName(m.sender) : (this.chat.kind === 'newsletter' ? chatTitle(this.chat) : senderName(m.chat)).replace(/[\u202A\u202C]/g, '');
    const ms = m.ts * 1000;
    const content = [];
    // span[aria-label="NAME:"], "You:" / "Você:" for own (E)
    content.push(h('span', { 'aria-label': m.from_me ? `${s.you}:` : `${name}:`, class: 'sr-author' }));
    if (group && !m.from_me && firstOfRun) {
      const pn = m.sender ? pushName(m.sender) : null;
      content.push(h('div', { class: 'author' }, h('span', { dir: 'auto', class: 'author-name' }, name), pn ? h('span', { class: 'push-name', dir: 'auto' }, `~ ${pn}`) : null));
    }
    if (m.forwarded) content.push(h('div', { class: 'forwarded' }, h('span', { 'data-icon': 'forward-refreshed' }), h('span', null, s.forwarded)));
    if (m.quoted) {
      const q = store.byId.get(m.quoted);
      if (q) {
        const qn = q.from_me ? s.you : q.sender ? senderName(q.sender) : senderName(q.chat);
        content.push(h('div', { 'aria-label': s.quoted, role: 'button', class: 'quoted' },
          h('span', { class: 'quoted-author', dir: 'auto' }, qn), h('span', { class: 'quoted-mention', dir: 'auto' }, richText(quotedPreview(q, s)))));
      }
    }
    if (m.type === 'text') {
      const full = m.text || '';
      const cut = full.length > TEXT_CUT && !this.expanded.has(m.id);
      const more = cut ? h('div', { role: 'button', class: 'read-more', tabindex: '0' }, s.readMore) : null;
      if (more) {
        more.addEventListener('click', () => {
          store.readMoreLog.push({ id: m.id, at: performance.now() });
          this.expanded.add(m.id);
          const row = more.closest('[role=row]');
          if (row && row.isConnected) row.replaceWith(this.row(m, firstOfRun));
        });
      }
      content.push(h('div', { class: 'copyable-text', 'data-pre-plain-text': prePlainText(ms, lang, name) },
        h('div', null, h('span', { dir: 'ltr', class: 'selectable-text copyable-text' }, h('span', null, richText(cut ? cutText(full) : full)))),
        more));
    } else if (m.type === 'image') {
      content.push(h('div', { role: 'button', 'aria-label': s.openPicture, class: 'image', 'data-testid': tid(gen, 'image-thumb') },
        h('img', { src: imageUrl(m.id), alt: '' })));
      if (m.text) content.push(h('span', { dir: 'auto', class: 'caption selectable-text copyable-text' }, richText(m.text)));
    } else if (m.type === 'ptt') {
      content.push(h('div', { class: 'ptt' },
        h('button', { 'aria-label': s.playVoice, class: 'play' }, h('span', { 'data-icon': 'audio-play' })),
        h('span', { 'data-icon': 'ptt-status', 'aria-label': s.voice }),
        h('span', { class: 'ptt-time' }, fmtDuration(m.duration || 0))));
    } else if (m.type === 'document') {
      // R: file icon per type, name, "pages • type • size" line, and a download button whose
      // icon looks like audio (seen in the wild: it made a document look like a voice message).
      const size = m.size || 20000 + (m.id.charCodeAt(m.id.length - 2) * 7919) % 900000;
      content.push(h('div', { role: 'button', class: 'document', title: m.file },
        h('span', { 'data-icon': docIcon(m.file) }),
        h('div', { class: 'doc-info' }, h('span', { dir: 'auto', class: 'doc-name' }, m.file),
          h('span', { class: 'doc-line' }, fmtDocLine(m.file, size, lang))),
        h('button', { 'aria-label': s.download, class: 'doc-download' }, h('span', { 'data-icon': 'audio-download' }))));
    } else if (m.type === 'deleted') {
      const txt = m.from_me ? s.deletedMine : s.deleted;
      content.push(h('span', { title: txt, class: 'deleted' }, txt));
    }
    const meta = [h('span', { class: 'msg-time' }, fmtTime(ms, lang))];
    if (m.from_me) {
      const st = m.status || 'read';
      meta.push(h('span', { 'data-icon': TICK_ICON[st], 'aria-label': s.ticks[st], class: `tick tick-${st}`, 'data-status': st },
        gen === '2026' ? svgTitle(TICK_SVG[st]) : null));
    }
    content.push(h('div', { class: 'msg-meta' }, meta));
    const dir = m.from_me ? 'out' : 'in';
    const showTail = gen !== '2026' || firstOfRun; // 2026: tail only on the first bubble of a run (E)
    const tail = showTail ? h('span', { 'data-icon': `tail-${dir}`, class: 'tail' }) : null;
    const bubble = h('div', { class: 'bubble' }, content);
    let inner;
    if (gen === '2026') {
      inner = h('div', { 'data-testid': 'msg-container', class: `msg msg-${dir}` }, tail, bubble);
    } else {
      inner = h('div', { 'data-virtualized': 'false' },
        h('div', { class: `message-${dir} focusable-list-item msg msg-${dir}` }, tail, bubble));
    }
    return h('div', { role: 'row' }, h('div', {
      tabindex: '-1', 'data-id': dataId(m, gen), 'data-testid': gen === '2026' ? `conv-msg-${m.id}` : null, class: 'msg-row',
    }, inner));
  }

  // A tick changed: patch just that message's status icon.
  updateStatus(m) {
    if (this.ui.isHidden()) return this.render();
    const row = this.list.querySelector(`[data-id="${CSS.escape(dataId(m, this.ui.gen))}"]`);
    if (!row) return;
    const old = row.querySelector('[data-status]');
    if (!old) return;
    const st = m.status;
    const s = t(this.ui.lang);
    old.replaceWith(h('span', { 'data-icon': TICK_ICON[st], 'aria-label': s.ticks[st], class: `tick tick-${st}`, 'data-status': st },
      this.ui.gen === '2026' ? svgTitle(TICK_SVG[st]) : null));
  }
}

// What a quote of a message shows: its text, else an icon and what it is (R: WhatsApp draws
// media quotes with an icon and a label).
function quotedPreview(q, s) {
  if (q.type === 'image') return q.text ? `📷 ${q.text}` : `📷 ${s.photo}`;
  if (q.type === 'ptt') return `🎤 ${s.voice} (${fmtDuration(q.duration || 0)})`;
  if (q.type === 'document') return `📄 ${q.file}`;
  if (q.type === 'deleted') return q.from_me ? s.deletedMine : s.deleted;
  return q.text || '';
}

// The visible part of a long text: whole words up to TEXT_CUT characters (R).
function cutText(text) {
  const head = [...text].slice(0, TEXT_CUT).join('');
  const space = head.lastIndexOf(' ');
  return space > TEXT_CUT / 2 ? head.slice(0, space) : head;
}

function docIcon(file) {
  const ext = (String(file).split('.').pop() || '').toLowerCase();
  return { pdf: 'document-PDF-icon', xlsx: 'doc-xlsx', docx: 'doc-docx' }[ext] || 'document-generic';
}

function svgTitle(title) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 11');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '11');
  const tEl = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  tEl.textContent = title;
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', 'M1 6l3 3 7-8');
  p.setAttribute('stroke', 'currentColor');
  p.setAttribute('fill', 'none');
  svg.append(tEl, p);
  return svg;
}

export { formatPhone };
