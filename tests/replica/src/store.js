// The replica's own data: chats, contacts, messages, and the ground-truth send log.
// Rendering reads from here; the scripting API writes here.

export const store = {
  me: { jid: '5511999990000@c.us', name: 'Me', phone: '+55 11 99999-0000' },
  chats: new Map(), // id -> chat
  contacts: new Map(), // jid -> {jid, name, saved, push_name}
  messages: new Map(), // chat id -> [message] chronological
  byId: new Map(), // message id -> message
  order: [], // chat ids, display order
  sentLog: [],
  readMoreLog: [], // every "Read more" click: {id, at: performance.now()}
};

const listeners = new Set();
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
export function emit(what, detail) {
  for (const fn of listeners) fn(what, detail);
}

export function formatPhone(jid) {
  const d = jid.split('@')[0];
  if (d.startsWith('55') && d.length === 13) return `+55 ${d.slice(2, 4)} ${d.slice(4, 9)}-${d.slice(9)}`;
  return `+${d}`;
}

// Load a corpus from corpus.py, in chunks so the page keeps responding.
export async function loadCorpus(corpus, yieldFn) {
  store.me = corpus.me;
  for (const c of corpus.chats) {
    addChat(c, false);
    for (const p of c.participants || []) store.contacts.set(p.jid, p);
  }
  const msgs = corpus.messages;
  const CHUNK = 20000;
  for (let i = 0; i < msgs.length; i += CHUNK) {
    const end = Math.min(msgs.length, i + CHUNK);
    for (let j = i; j < end; j++) {
      const m = msgs[j];
      let arr = store.messages.get(m.chat);
      if (!arr) store.messages.set(m.chat, (arr = []));
      arr.push(m);
      store.byId.set(m.id, m);
    }
    await yieldFn();
  }
  resort();
}

export function addChat(c, notify = true) {
  const chat = {
    unread: 0, pinned: false, muted: false, kind: 'user', lang: 'pt-BR', ...c,
  };
  if (!chat.kind || chat.kind === 'user') {
    if (chat.id.endsWith('@g.us')) chat.kind = 'group';
    else if (chat.id.endsWith('@lid')) chat.kind = 'lid';
    else if (chat.id.endsWith('@newsletter')) chat.kind = 'newsletter';
  }
  if (chat.name === undefined) chat.name = null;
  if (chat.saved === undefined) chat.saved = chat.name != null;
  if (!chat.last_ts) chat.last_ts = Math.floor(Date.now() / 1000);
  store.chats.set(chat.id, chat);
  if (!store.messages.has(chat.id)) store.messages.set(chat.id, []);
  if (notify) {
    resort();
    emit('chats');
  }
  return chat;
}

// Title shown in the list/header: saved name, or the number wrapped in bidi marks (E).
export function chatTitle(chat) {
  if (chat.name && (chat.saved !== false || chat.kind === 'group' || chat.kind === 'newsletter')) return chat.name;
  // plain_name (R, issue 11): a page seen drawing a LID contact's push name without the "~", so a
  // stranger who picks a saved customer's name shows exactly that name.
  if (chat.kind === 'lid') return chat.push_name ? (chat.plain_name ? chat.push_name : `~ ${chat.push_name}`) : chat.id.split('@')[0];
  return `\u202A${formatPhone(chat.id)}\u202C`;
}

// Name used for a group participant / sender: saved name or formatted number.
export function senderName(jid) {
  const c = store.contacts.get(jid) || store.chats.get(jid);
  if (c && c.name && c.saved !== false) return c.name;
  if (jid.endsWith('@lid')) return (c && (c.push_name || c.name)) ? `~ ${c.push_name || c.name}` : jid.split('@')[0];
  return formatPhone(jid);
}

export function pushName(jid) {
  const c = store.contacts.get(jid) || store.chats.get(jid);
  if (!c || (c.name && c.saved !== false)) return null;
  return c.push_name || c.name || null;
}

export function lastMessage(chatId) {
  const arr = store.messages.get(chatId);
  return arr && arr.length ? arr[arr.length - 1] : null;
}

// Pinned first, then newest activity first.
export function resort() {
  const ids = [...store.chats.keys()];
  ids.sort((a, b) => {
    const ca = store.chats.get(a);
    const cb = store.chats.get(b);
    if (ca.pinned !== cb.pinned) return ca.pinned ? -1 : 1;
    return cb.last_ts - ca.last_ts;
  });
  store.order = ids;
}

export function newMessageId() {
  const b = new Uint8Array(9);
  crypto.getRandomValues(b);
  let id = '3EB0' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
  while (store.byId.has(id)) id = id.slice(0, -1) + ((parseInt(id.slice(-1), 16) + 1) % 16).toString(16).toUpperCase();
  return id;
}

export function addMessage(m) {
  const chat = store.chats.get(m.chat);
  if (!chat) throw new Error(`unknown chat ${m.chat}`);
  store.messages.get(m.chat).push(m);
  store.byId.set(m.id, m);
  chat.last_ts = Math.max(chat.last_ts || 0, m.ts);
  resort();
  emit('message', m);
  return m;
}
