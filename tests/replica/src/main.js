// Replica of the WhatsApp Web DOM *shape* for tests. Boot, screens, shell and the scripting API.
import { $getRoot, $createParagraphNode, $createTextNode } from 'lexical';
import { h, tid, richText } from './dom.js';
import { t, LOCALES } from './i18n.js';
import {
  store, onChange, emit, loadCorpus, addChat, addMessage, chatTitle, senderName, newMessageId, resort, formatPhone,
} from './store.js';
import { ChatList } from './chatlist.js';
import { Conversation } from './conversation.js';
import { Composer, mountLexical } from './composer.js';
import { splash, qrScreen, updateQr, newDataRef, conflictScreen } from './screens.js';

const GENS = ['2024', '2025', '2026'];
const params = new URLSearchParams(location.search);
const defaults = JSON.parse(document.getElementById('replica-defaults')?.textContent || '{}');
const param = (k, d) => params.get(k) ?? (defaults[k] !== undefined ? String(defaults[k]) : d);
const nextTask = () => new Promise((r) => setTimeout(r, 0));
const countOr = (v, d) => (Math.floor(Number(v)) >= 1 ? Math.floor(Number(v)) : d); // a whole count >= 1, else d

const ui = {
  gen: GENS.includes(param('gen')) ? param('gen') : '2025',
  lang: LOCALES.includes(param('lang')) ? param('lang') : 'en',
  screen: 'loading', // loading | qr | app | conflict
  connection: 'connected', // connected | disconnected
  warning: null,
  forcedHidden: null,
  activeChat: null,
  qrRef: newDataRef(),
  olderLoads: { asked: 0, done: 0 }, // loads of older messages started by a scroll to the top, and finished
  config: {
    tickDelays: { sent: 300, delivered: 800, read: 1500 },
    tickSpeed: 1,
    olderDelay: Number(param('older_delay', '600')),
    olderBatch: countOr(param('older_batch'), 30), // older messages one scroll to the top loads (R)
    placeholders: Number(param('placeholders', '0')), // >0: rows older than the newest N open empty
    keepRows: param('rows', 'redrawn') === 'kept', // a render keeps the rows drawn as before (as React does)
    qrRefreshMs: Number(param('qr_refresh', '20000')),
  },
  ready: false,
  isHidden() { return this.forcedHidden ?? document.visibilityState === 'hidden'; },
};
const app = document.getElementById('app');
let chatList = null;
let conversation = null;
let composer = null;
let searchEditor = null;
let qrTimer = null;
let unreadFilter = false;
const waitingForConnection = [];

function setHtmlAttrs() {
  document.documentElement.id = 'whatsapp-web'; // E
  document.documentElement.lang = ui.lang === 'pt-BR' ? 'pt-BR' : 'en';
  document.documentElement.dir = 'ltr';
  document.title = 'WhatsApp';
}

// ---------- screens ----------
function teardownApp() {
  if (composer) { composer.destroy(); composer = null; }
  if (searchEditor) { searchEditor.destroy(); searchEditor = null; }
  conversation = null;
  chatList = null;
  clearInterval(qrTimer);
  qrTimer = null;
}

function show() {
  teardownApp();
  setHtmlAttrs();
  if (ui.screen === 'loading') app.replaceChildren(splash(ui.lang));
  else if (ui.screen === 'qr') {
    app.replaceChildren(qrScreen(ui.lang, ui.qrRef, () => api.login()));
    qrTimer = setInterval(() => api.refreshQr(), ui.config.qrRefreshMs);
  } else if (ui.screen === 'conflict') app.replaceChildren(conflictScreen(ui.lang, () => api.setConnection('connected')));
  else app.replaceChildren(buildShell());
  placeWarning();
}

function banner() {
  const s = t(ui.lang);
  const out = [];
  if (ui.connection === 'disconnected') {
    // E: [data-icon="alert-computer"] "Computer not connected"; layout R
    out.push(h('div', { class: 'banner banner-offline', role: 'button', tabindex: '0' },
      h('span', { 'data-icon': 'alert-computer', class: 'banner-icon' }),
      h('div', null, h('div', { class: 'banner-title' }, s.notConnectedTitle), h('div', { class: 'banner-body' }, s.notConnectedBody,
        ' ', h('span', { class: 'link', role: 'button', onclick: () => api.setConnection('connected') }, s.reconnect)))));
  }
  if (ui.warning && ui.warning.where === 'banner') out.push(warningEl(true));
  return out;
}

// R: shape of the "sending too much" warning. Only its text is known (whatsapp-dom.md: "recognise
// it by its text, wherever it is drawn"), so it can be drawn in several places:
// banner ([role=alert] in #side), side (plain block on top of #side), main (over the conversation
// area), modal (div[data-animate-modal-popup]) and toast (#wa-popovers-bucket, outside #app).
const WARNING_PLACES = ['banner', 'side', 'main', 'modal', 'toast'];
function warningEl(asAlert) {
  const s = t(ui.lang);
  return h('div', { class: 'banner banner-warning', role: asAlert ? 'alert' : null },
    h('span', { 'data-icon': 'alert-warning', class: 'banner-icon' }),
    h('div', null, h('div', { class: 'banner-title' }, ui.warning.title || s.warningTitle),
      h('div', { class: 'banner-body' }, ui.warning.body || s.warningBody)));
}

function placeWarning() {
  for (const el of document.querySelectorAll('.replica-warning')) el.remove();
  if (!ui.warning || ui.screen !== 'app' || ui.warning.where === 'banner') return;
  const el = warningEl(false);
  el.classList.add('replica-warning');
  const where = ui.warning.where;
  if (where === 'side') document.querySelector('#side')?.prepend(el);
  else if (where === 'main') document.querySelector('.main-slot')?.prepend(el);
  else if (where === 'modal') app.append(h('div', { 'data-animate-modal-popup': 'true', class: 'modal replica-warning' }, el));
  else if (where === 'toast') document.getElementById('wa-popovers-bucket')?.append(el);
}

function buildSearch() {
  const s = t(ui.lang);
  if (ui.gen === '2026') {
    // E: input[role=textbox][type=text][data-tab=3]; setting .value alone does not filter
    const input = h('input', {
      role: 'textbox', type: 'text', 'data-tab': '3', 'aria-label': s.search, placeholder: s.search,
      'data-testid': 'chat-list-search', class: 'search-input',
    });
    input.addEventListener('input', () => chatList.setFilter(input.value));
    return h('div', { class: 'search' }, input);
  }
  // E: <=2025 contenteditable div[role=textbox][data-tab=3] (a Lexical editor with a <p>)
  const box = h('div', {
    contenteditable: 'true', role: 'textbox', 'data-tab': '3', 'data-lexical-editor': 'true',
    'aria-label': s.search, spellcheck: 'false', class: 'search-input',
  });
  searchEditor = mountLexical(box, { namespace: 'search', onChange: (text) => chatList && chatList.setFilter(text) });
  return h('div', { class: 'search lexical-rich-text-input' }, box);
}

function buildShell() {
  const s = t(ui.lang);
  chatList = new ChatList(ui);
  const tabs = h('div', { role: 'tablist', class: 'filters' }, s.filters.map((label, i) => h('button', {
    role: 'tab', type: 'button', 'aria-selected': (i === 1) === unreadFilter ? 'true' : 'false',
    onclick: () => { if (i < 2) { unreadFilter = i === 1; show(); } },
  }, label)));
  const side = h('div', { id: 'side', class: 'side' },
    h('div', { class: 'banners' }, banner()),
    h('header', { class: 'side-header' }, h('h1', null, s.chats),
      h('div', { role: 'button', tabindex: '0', 'aria-label': s.newChat, title: s.newChat, class: 'icon-btn' }, h('span', { 'data-icon': 'new-chat-outline' }))),
    buildSearch(), tabs, chatList.scroller);
  const rail = h('header', { class: 'nav-rail' },
    h('button', { type: 'button', 'aria-label': s.chats, 'aria-pressed': 'true', 'data-navbar-item': 'true', class: 'rail-btn' }, h('span', { 'data-icon': 'chats-filled' })));
  const mainSlot = h('div', { class: 'main-slot' });
  const drawerSlot = h('div', { class: 'drawer-slot' });
  const shell = h('div', { class: 'app-wrapper-web' }, h('div', { class: 'two' }, rail, side, mainSlot, drawerSlot));
  if (ui.activeChat && store.chats.has(ui.activeChat)) mountConversation(mainSlot, ui.activeChat, false);
  else mainSlot.append(h('div', { class: 'intro', 'data-testid': tid(ui.gen, 'intro-panel') }, s.intro));
  queueMicrotask(() => refreshList());
  return shell;
}

function refreshList() {
  if (!chatList) return;
  if (unreadFilter) {
    const base = store.order;
    store.order = base.filter((id) => store.chats.get(id).unread > 0 || id === ui.activeChat);
    chatList.refresh();
    store.order = base;
  } else chatList.refresh();
}

function mountConversation(slot, chatId, resetUnread) {
  const chat = store.chats.get(chatId);
  closeDrawer();
  if (composer) composer.destroy();
  conversation = new Conversation(ui, chatId);
  conversation.unreadAtOpen = chat.unread;
  if (resetUnread) chat.unread = 0;
  composer = chat.kind === 'newsletter' ? null : new Composer(ui, chat, chatTitle(chat).replace(/[\u202A\u202C]/g, ''));
  if (composer) conversation.footerSlot.append(composer.el);
  slot.replaceChildren(conversation.el);
  conversation.render(true);
}

// ---------- contact-info drawer (R: opened by clicking the header; layout and texts reconstructed) ----------
// It shows the name, and the phone number for a chat that has one (a LID contact's is hidden):
// what tells two chats of one name apart when the page gives no id.
ui.drawerLog = [];
function closeDrawer() {
  const slot = app.querySelector('.drawer-slot');
  if (slot) slot.replaceChildren();
  ui.drawerOpen = null;
}
ui.openDrawer = (chatId) => {
  const slot = app.querySelector('.drawer-slot');
  const chat = store.chats.get(chatId);
  if (!slot || !chat) return;
  const s = t(ui.lang);
  const title = chatTitle(chat);
  const lines = [];
  if (chat.kind === 'user') {
    lines.push(h('span', { dir: 'auto', class: 'drawer-phone', 'data-testid': tid(ui.gen, 'contact-info-phone') }, formatPhone(chat.id)));
    if (!chat.saved && chat.push_name) lines.push(h('span', { dir: 'auto', class: 'drawer-push' }, `~${chat.push_name}`));
  } else if (chat.kind === 'lid') {
    if (chat.push_name) lines.push(h('span', { dir: 'auto', class: 'drawer-push' }, `~${chat.push_name}`));
    lines.push(h('span', { class: 'drawer-note' }, s.notInContacts));
  } else if (chat.kind === 'group') {
    lines.push(h('span', { class: 'drawer-members' }, (chat.participants || []).map((p) => senderName(p.jid)).join(', ')));
  }
  if (chat.kind === 'user' && !chat.saved) lines.push(h('span', { class: 'drawer-note' }, s.notInContacts));
  const label = chat.kind === 'group' ? s.groupInfo : s.contactInfo;
  slot.replaceChildren(h('section', { class: 'drawer', 'aria-label': label, 'data-testid': tid(ui.gen, 'contact-info-drawer') },
    h('header', { class: 'drawer-head' },
      h('div', { role: 'button', tabindex: '0', 'aria-label': s.close, class: 'icon-btn', onclick: closeDrawer }, h('span', { 'data-icon': 'x' })),
      h('h2', null, label)),
    h('div', { class: 'drawer-name' }, h('span', { dir: 'auto', title }, richText(title))),
    h('div', { class: 'drawer-lines' }, lines)));
  ui.drawerOpen = chatId;
  ui.drawerLog.push({ chat: chatId, at: performance.now() });
};

// ---------- sending and ticks ----------
ui.openChat = (id) => api.openChat(id);

ui.sendText = (chatId, raw) => {
  const text = raw.trim();
  const now = Date.now();
  const m = { id: newMessageId(), chat: chatId, from_me: true, ts: Math.floor(now / 1000), type: 'text', text, status: 'pending' };
  const entry = { id: m.id, chat: chatId, text, sent_at: now };
  store.sentLog.push(entry);
  addMessage(m);
  scheduleTick(m);
  if (ui.holdAfter !== null && --ui.holdAfter === 0) holdPage(entry);
};

// Test hook (R): WhatsApp has accepted the message and the page freezes before anything else
// runs in it, the content script included (one main thread). A synchronous request blocks the
// thread and tells the test which message it was; the test leaves it unanswered and kills the tab.
ui.holdAfter = null;
function holdPage(entry) {
  ui.holdAfter = null;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/__replica/hold', false);
  try { xhr.send(JSON.stringify(entry)); } catch (e) { /* the test answered with an error: go on */ }
}

function scheduleTick(m) {
  const next = { pending: 'sent', sent: 'delivered', delivered: 'read' }[m.status];
  if (!next) return;
  if (ui.connection !== 'connected' || ui.screen !== 'app') { waitingForConnection.push(m); return; }
  const delay = ui.config.tickDelays[next];
  if (delay === null || delay === undefined || delay < 0) return; // stop advancing at this step
  setTimeout(() => {
    if (ui.connection !== 'connected') { waitingForConnection.push(m); return; }
    m.status = next;
    emit('status', m);
    scheduleTick(m);
  }, delay / ui.config.tickSpeed);
}

function flushWaiting() {
  const items = waitingForConnection.splice(0);
  for (const m of items) scheduleTick(m);
}

onChange((what, m) => {
  if (what === 'message') {
    const chat = store.chats.get(m.chat);
    if (!m.from_me && (m.chat !== ui.activeChat || ui.isHidden())) chat.unread += 1;
    if (conversation && conversation.chatId === m.chat) drawAfterTask(conversation, m.from_me);
  } else if (what === 'status') {
    if (conversation && conversation.chatId === m.chat) conversation.updateStatus(m);
  }
  drawAfterTask();
});

// Many changes in one task draw the list and the open chat once, after the task (R: React batches
// a task's state updates into one render). Drawing per message cost 20-300 ms each.
let drawQueued = null; // { conv, stickBottom }: what this task's changes draw after it
function drawAfterTask(conv = null, stickBottom = false) {
  if (!drawQueued) {
    drawQueued = { conv: null, stickBottom: false };
    queueMicrotask(() => {
      const { conv: c, stickBottom: stick } = drawQueued;
      drawQueued = null;
      if (c && c === conversation) c.render(stick); // a chat opened since drew itself whole
      refreshList();
    });
  }
  if (conv && conv !== drawQueued.conv) drawQueued = { conv, stickBottom };
  else if (conv) drawQueued.stickBottom ||= stickBottom;
}

// Back in view: the open chat's messages count as read (R), and the "N unread messages"
// divider marks where the user left off (E: the divider; R: when it is drawn).
function catchUpOnView() {
  if (!conversation) return;
  const chat = store.chats.get(conversation.chatId);
  if (!ui.isHidden() && chat && chat.unread > 0) {
    conversation.unreadAtOpen = chat.unread;
    chat.unread = 0;
    refreshList();
  }
  conversation.render(true);
}

document.addEventListener('visibilitychange', catchUpOnView);

// ---------- scripting API (main world) ----------
const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
let resolveReady;
const readyPromise = new Promise((r) => { resolveReady = r; });

const api = {
  version: 1,
  ready: readyPromise,
  isReady: () => ui.ready,
  state: () => ({
    screen: ui.screen, connection: ui.connection, gen: ui.gen, lang: ui.lang, activeChat: ui.activeChat,
    hidden: ui.isHidden(), warning: clone(ui.warning), qrRef: ui.screen === 'qr' ? ui.qrRef : null,
    chats: store.chats.size, messages: store.byId.size, config: clone(ui.config),
  }),
  setGeneration(gen) {
    gen = String(gen);
    if (!GENS.includes(gen)) throw new Error(`unknown generation ${gen}`);
    ui.gen = gen;
    show();
  },
  setLocale(lang) {
    if (!LOCALES.includes(lang)) throw new Error(`unknown locale ${lang}`);
    ui.lang = lang;
    show();
  },
  // 'loading' | 'unpaired' (QR) | 'connected' | 'disconnected' | 'conflict'
  setConnection(state) {
    const map = { loading: ['loading'], unpaired: ['qr'], qr: ['qr'], connected: ['app', 'connected'], disconnected: ['app', 'disconnected'], conflict: ['conflict'] };
    if (!map[state]) throw new Error(`unknown connection state ${state}`);
    const [screen, conn] = map[state];
    ui.screen = screen;
    if (conn) ui.connection = conn;
    if (screen === 'qr') ui.qrRef = newDataRef();
    show();
    if (ui.screen === 'app' && ui.connection === 'connected') flushWaiting();
  },
  login() { api.setConnection('connected'); },
  refreshQr() {
    ui.qrRef = newDataRef();
    updateQr(app, ui.qrRef);
    return ui.qrRef;
  },
  showWarning(opts = {}) {
    const where = opts.where || 'banner';
    if (!WARNING_PLACES.includes(where)) throw new Error(`unknown warning place ${where}`);
    ui.warning = { title: opts.title || null, body: opts.body || null, where };
    if (ui.screen !== 'app') return;
    if (where === 'banner') show(); else placeWarning(); // drawn without rebuilding the app
  },
  hideWarning() { ui.warning = null; if (ui.screen === 'app') show(); },
  addContact(c) {
    const contact = { saved: c.name != null, ...c };
    store.contacts.set(contact.jid, contact);
    return clone(contact);
  },
  createChat(c) {
    if (!c || !c.id) throw new Error('createChat needs an id (JID)');
    const chat = addChat({ lang: ui.lang, ...c });
    for (const p of chat.participants || []) if (!store.contacts.has(p.jid)) store.contacts.set(p.jid, p);
    return clone(chat);
  },
  // Deliver an incoming (or, with from_me, an own message sent from the phone).
  deliver(chatId, msg = {}) {
    if (!store.chats.has(chatId)) throw new Error(`unknown chat ${chatId}`);
    const now = Date.now();
    const m = {
      id: msg.id || newMessageId(), chat: chatId, from_me: !!msg.from_me, ts: msg.ts || Math.floor(now / 1000),
      type: msg.type || 'text', ...msg,
    };
    m.chat = chatId;
    if (m.from_me && !m.status) m.status = 'sent';
    if (store.byId.has(m.id)) throw new Error(`duplicate message id ${m.id}`);
    addMessage(m);
    return clone(m);
  },
  openChat(id) {
    if (!store.chats.has(id)) throw new Error(`unknown chat ${id}`);
    ui.activeChat = id;
    const slot = app.querySelector('.main-slot');
    if (slot) mountConversation(slot, id, true);
    refreshList();
  },
  setTickDelays(d) { Object.assign(ui.config.tickDelays, d); return clone(ui.config.tickDelays); },
  setTickSpeed(f) { ui.config.tickSpeed = Number(f) > 0 ? Number(f) : 1; },
  setOlderDelay(ms) { ui.config.olderDelay = Number(ms); },
  setOlderBatch(n) { ui.config.olderBatch = countOr(n, ui.config.olderBatch); },
  // Loads of older messages asked (a scroll to the top) and done: none pending when equal.
  olderLoads: () => clone(ui.olderLoads),
  // Own messages whose ticks are held until the connection returns (ids).
  waitingForConnection: () => waitingForConnection.map((m) => m.id),
  setQrRefresh(ms) { ui.config.qrRefreshMs = Number(ms); if (ui.screen === 'qr') show(); },
  // true/false forces hidden/visible rendering; null follows document.visibilityState
  setHidden(v) { ui.forcedHidden = v === null || v === undefined ? null : !!v; catchUpOnView(); },
  setPlaceholders(n) { ui.config.placeholders = Number(n) || 0; },
  // data-ids of the open conversation's rows drawn empty right now (placeholders)
  placeholders: () => (conversation ? conversation.placeholders() : []),
  sentLog: () => clone(store.sentLog),
  // Every opening of the contact-info drawer: {chat, at}; and the chat whose drawer is open now
  drawerLog: () => clone(ui.drawerLog),
  drawerOpen: () => ui.drawerOpen || null,
  // What the sidebar search box holds now (the tests check a send leaves it as the user had it)
  searchText: () => { const b = app.querySelector('#side [data-tab="3"]'); return b ? (b.value ?? b.textContent) : null; },
  readMoreLog: () => clone(store.readMoreLog),
  // Freeze the page right after the n-th next send is recorded (see holdPage); null disarms.
  holdAfterSends(n) { ui.holdAfter = n == null ? null : Number(n); },
  messages: (chatId) => clone(store.messages.get(chatId) || []),
  message: (id) => clone(store.byId.get(id)),
  chats: () => store.order.map((id) => clone(store.chats.get(id))),
  chat: (id) => clone(store.chats.get(id)),
  chatOrder: () => [...store.order],
  // Ground truth of what the page draws: a chat's title, a sender's name on its messages
  titleOf: (id) => chatTitle(store.chats.get(id)),
  senderName: (jid) => senderName(jid).replace(/[\u202A\u202C]/g, ''),
  timings: {},
};
Object.defineProperty(window, '__replica', { value: api, configurable: false, writable: false });

// ---------- boot ----------
async function boot() {
  const t0 = performance.now();
  show();
  const splashMs = Number(param('splash', '100'));
  const minSplash = new Promise((r) => setTimeout(r, splashMs));
  if (param('corpus', '1') !== '0') {
    const q = new URLSearchParams();
    for (const k of ['seed', 'chats', 'messages', 'lang_mix']) if (param(k) !== undefined) q.set(k, param(k));
    // gzip over the wire (Playwright's fulfil is slow for big bodies), inflated in a stream
    const res = await fetch(`/__replica/corpus.json.gz?${q}`);
    const corpus = await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).json();
    api.timings.fetchParsed = performance.now() - t0;
    await loadCorpus(corpus, nextTask);
    api.timings.indexed = performance.now() - t0;
  }
  await minSplash;
  const initial = param('state', 'connected');
  api.setConnection(initial === 'qr' ? 'unpaired' : initial);
  if (location.pathname === '/send' && params.get('phone') && ui.screen === 'app') openFromUrl(params.get('phone'), params.get('text') || '');
  api.timings.ready = performance.now() - t0;
  api.timings.readyAt = performance.now(); // the page's own clock: the content script shares it
  ui.ready = true;
  resolveReady(true);
}

// https://web.whatsapp.com/send?phone=<digits>&text=<text> (E: URL shape; modal flow R)
function openFromUrl(phone, text) {
  const jid = `${phone.replace(/\D/g, '')}@c.us`;
  if (!store.chats.has(jid)) addChat({ id: jid, lang: ui.lang });
  api.openChat(jid);
  if (text && composer) {
    composer.lex.editor.update(() => {
      const p = $createParagraphNode();
      p.append($createTextNode(text));
      $getRoot().clear().append(p);
    }, { discrete: true });
  }
}

resort();
boot().catch((e) => { console.error('replica boot failed', e); });
