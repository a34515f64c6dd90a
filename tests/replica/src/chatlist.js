// Virtualized chat list: only visible rows exist, absolutely positioned with translateY,
// aria-rowcount = all chats (E). Row role per generation: listitem (2024-25), row > gridcell (late 2025, 2026).
import { h, tid, richText } from './dom.js';
import { store, chatTitle, lastMessage } from './store.js';
import { t, fmtListTime } from './i18n.js';

export const ROW_HEIGHT = { 2024: 72, 2025: 72, 2026: 76 }; // E
const OVERSCAN = 24; // R: the real list keeps ~67-70 rows for a ~10-row viewport

export class ChatList {
  constructor(ui) {
    this.ui = ui;
    this.rows = new Map(); // chat id -> {el, sig}
    this.filter = '';
    this.ids = [];
    this.scroller = h('div', { id: 'pane-side', 'data-scrolltracepolicy': 'wa.web.chatlist', tabindex: '-1' });
    this.grid = h('div', {
      'aria-label': t(ui.lang).chatList, role: 'grid', 'aria-rowcount': '0', 'aria-colcount': '1',
      'data-testid': tid(ui.gen, 'chat-list'), class: 'chat-grid',
    });
    this.scroller.append(this.grid);
    let pending = false;
    this.scroller.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; this.renderWindow(); });
    });
    this.grid.addEventListener('click', (e) => {
      const row = e.target.closest('[data-chat-id]');
      if (row) ui.openChat(row.getAttribute('data-chat-id'));
    });
  }

  get rowHeight() { return ROW_HEIGHT[this.ui.gen]; }

  setFilter(q) {
    this.filter = q.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    this.refresh();
  }

  matches(chat) {
    if (!this.filter) return true;
    const last = lastMessage(chat.id);
    const hay = `${chatTitle(chat)} ${chat.id} ${last && last.text ? last.text : ''}`;
    return hay.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').includes(this.filter);
  }

  // Recompute the ordered rows (after re-sort / filter change) and repaint. Search results come in
  // sections (E: "results section headers also role=row"; their wording R): the chats whose name,
  // number or last message matches, then the messages that match (each row names its chat).
  refresh() {
    if (!this.filter) this.ids = store.order;
    else {
      const s = t(this.ui.lang);
      const chats = store.order.filter((id) => this.matches(store.chats.get(id)));
      const hits = this.filter.length >= 3 ? this.messageHits(20) : [];
      this.ids = [
        ...(chats.length ? [`header:${s.sectionChats}`] : []), ...chats,
        ...(hits.length ? [`header:${s.sectionMessages}`] : []), ...hits.map((m) => `message:${m.id}`),
      ];
    }
    this.grid.setAttribute('aria-rowcount', String(this.ids.length));
    this.grid.style.height = `${this.ids.length * this.rowHeight}px`;
    this.renderWindow(true);
  }

  messageHits(limit) {
    const out = [];
    for (const id of store.order) {
      for (const m of store.messages.get(id) || []) {
        if (m.text && m.text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').includes(this.filter)) out.push(m);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  renderWindow(force = false) {
    const H = this.rowHeight;
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / H) - OVERSCAN);
    const last = Math.min(this.ids.length, Math.ceil((top + height) / H) + OVERSCAN);
    const keep = new Set();
    for (let i = first; i < last; i++) {
      const id = this.ids[i];
      keep.add(id);
      const chat = store.chats.get(id);
      const sig = chat ? this.signature(chat, i) : `${id}|${i}`;
      let entry = this.rows.get(id);
      if (!entry || entry.sig !== sig || force) {
        const el = chat ? this.buildRow(chat, i) : this.buildResultRow(id, i);
        if (entry) entry.el.replaceWith(el); else this.grid.append(el);
        entry = { el, sig };
        this.rows.set(id, entry);
      }
      entry.el.style.transform = `translateY(${i * H}px)`;
      entry.el.setAttribute('aria-rowindex', String(i + 1));
    }
    for (const [id, entry] of this.rows) {
      if (!keep.has(id)) { entry.el.remove(); this.rows.delete(id); }
    }
  }

  // A section header (no name, no chat) or a message found by the search (its chat's name and the text).
  buildResultRow(item, index) {
    const style = `height:${this.rowHeight}px;transform:translateY(${index * this.rowHeight}px)`;
    if (item.startsWith('header:')) {
      return h('div', { role: 'row', class: 'chat-row section-header', style, tabindex: '-1' }, item.slice(7));
    }
    const m = store.byId.get(item.slice(8));
    const chat = store.chats.get(m.chat);
    const title = chatTitle(chat);
    const frame = h('div', { class: 'cell-frame', 'data-testid': tid(this.ui.gen, 'cell-frame-container'), tabindex: '-1' },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, (title.replace(/[^\p{L}\d]/gu, '')[0] || '?').toUpperCase()),
      h('div', { class: 'cell-main' },
        h('div', { class: 'cell-line' }, h('span', { dir: 'auto', title, class: 'cell-title' }, richText(title)),
          h('span', { class: 'cell-time' }, fmtListTime(m.ts * 1000, this.ui.lang))),
        h('div', { class: 'cell-line' }, h('span', { dir: 'ltr', class: 'cell-preview' }, richText(m.text || '')))));
    const common = { 'data-chat-id': chat.id, 'data-message-id': m.id, tabindex: '-1', style, class: 'chat-row message-hit' };
    if (this.ui.gen === '2024') return h('div', { ...common, role: 'listitem' }, frame);
    return h('div', { ...common, role: 'row' }, h('div', { role: 'gridcell', 'aria-colindex': '1', class: 'gridcell' }, frame));
  }

  signature(chat, i) {
    const last = lastMessage(chat.id);
    return [i, chat.unread, chat.name, chat.muted, chat.pinned, last && last.id, last && last.status,
      this.ui.activeChat === chat.id].join('|');
  }

  buildRow(chat, index) {
    const { gen, lang } = this.ui;
    const s = t(lang);
    const last = lastMessage(chat.id);
    const title = chatTitle(chat);
    let preview = '';
    if (last) {
      preview = last.type === 'text' || last.type === 'system' ? (last.text || '')
        : last.type === 'image' ? (last.text || '📷') : last.type === 'ptt' ? `🎤 ${s.voice}`
          : last.type === 'document' ? `📄 ${last.file}` : last.from_me ? s.deletedMine : s.deleted;
      if (last.from_me && last.type !== 'system') preview = `${s.you}: ${preview}`; // E "You: " / "Você: "
    }
    const selected = this.ui.activeChat === chat.id;
    const badges = [];
    if (chat.unread > 0) {
      // E: [role=gridcell][aria-colindex="1"] > span > div > span[aria-label="N unread messages"]
      badges.push(h('span', { class: 'badge-wrap' }, h('div', null, h('span', {
        'aria-label': s.unread(chat.unread), class: 'unread-badge', 'data-testid': tid(gen, 'icon-unread-count'),
      }, String(chat.unread)))));
    }
    if (chat.muted) badges.push(h('span', { 'data-icon': 'muted', 'aria-label': s.muted, class: 'icon' }, '🔇'));
    if (chat.pinned) badges.push(h('span', { 'data-icon': 'pinned', 'aria-label': s.pinned, class: 'icon' }, '📌'));
    const frame = h('div', { class: 'cell-frame', 'data-testid': tid(gen, 'cell-frame-container'), tabindex: '-1' },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, (title.replace(/[^\p{L}\d]/gu, '')[0] || '?').toUpperCase()),
      h('div', { class: 'cell-main' },
        h('div', { class: 'cell-line' },
          // Emoji as <img alt data-plain-text> (E); 2026: title span inside the testid element (R)
          gen === '2026'
            ? h('div', { class: 'cell-title', 'data-testid': 'cell-frame-title' }, h('span', { dir: 'auto', title }, richText(title)))
            : h('span', { dir: 'auto', title, class: 'cell-title' }, richText(title)),
          h('span', { class: 'cell-time' }, last ? fmtListTime(last.ts * 1000, lang) : '')),
        h('div', { class: 'cell-line' },
          h('span', { dir: 'ltr', class: 'cell-preview', title: gen === '2026' ? null : preview },
            gen === '2026' ? h('span', { 'data-testid': 'last-msg-status', title: preview }, richText(preview)) : richText(preview)),
          gen === '2024' ? badges : null)));
    const style = `height:${this.rowHeight}px;transform:translateY(${index * this.rowHeight}px)`;
    const common = {
      'data-chat-id': chat.id, tabindex: '-1', 'aria-selected': selected ? 'true' : 'false', style, class: 'chat-row',
      'data-testid': chat.id === store.me.jid ? tid(gen, 'message-yourself-row') : null,
    };
    if (gen === '2024') return h('div', { ...common, role: 'listitem' }, frame);
    // badges sit directly under the gridcell so the evidenced child chain matches
    return h('div', { ...common, role: 'row' },
      h('div', { role: 'gridcell', 'aria-colindex': '1', class: 'gridcell' }, frame, badges));
  }
}
