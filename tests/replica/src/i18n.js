// Localized labels and the time/date formats WhatsApp Web uses per locale.
// E = seen in whatsapp-dom.md; everything not marked is reconstruction (R).

const STRINGS = {
  en: {
    chatList: 'Chat list', // E
    chats: 'Chats', // E (nav rail button)
    search: 'Search or start a new chat', // E
    newChat: 'New chat', // E
    typeMessage: 'Type a message', // E
    typeMessageTo: (name, group) => (group ? `Type a message to group ${name}` : `Type a message to ${name}`),
    send: 'Send', // E
    voice: 'Voice message', // E
    playVoice: 'Play voice message', // E
    attach: 'Attach',
    openPicture: 'Open picture', // E
    photo: 'Photo',
    quoted: 'Quoted message', // E
    forwarded: 'Forwarded', // E
    deleted: 'This message was deleted', // E
    deletedMine: 'You deleted this message',
    you: 'You', // E ("You:" / "You: " preview prefix)
    unread: (n) => (n === 1 ? '1 unread message' : `${fmtInt(n, 'en')} unread messages`), // E
    unreadDivider: (n) => (n === 1 ? '1 unread message' : `${fmtInt(n, 'en')} unread messages`), // E
    ticks: { pending: ' Pending ', sent: ' Sent ', delivered: ' Delivered ', read: ' Read ' }, // E
    muted: 'muted chat', pinned: 'pinned chat', // E
    filters: ['All', 'Unread', 'Favourites'], // E
    today: 'TODAY', yesterday: 'YESTERDAY', yesterdayShort: 'Yesterday',
    weekdays: ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'],
    readMore: 'Read more', // E (text; markup R)
    download: 'Download',
    docPages: (n) => (n === 1 ? '1 page' : `${n} pages`),
    loadingOlder: 'Loading messages…',
    olderFromPhone: 'Click here to get older messages from your phone.', // E
    qrTitle: 'Log into WhatsApp Web', // E
    qrAria: 'Scan this QR code to link a device!', // E
    qrPhone: 'Link with phone number instead', // E
    qrSteps: ['Open the messaging app on your phone', 'Tap Menu or Settings and select Linked devices', 'Point your phone at this screen to scan the code'],
    splash: 'Loading your chats',
    notConnectedTitle: 'Computer not connected', // E (text of the alert-computer banner)
    notConnectedBody: 'Make sure your computer has an active Internet connection.',
    reconnect: 'Reconnect',
    conflictBody: 'The app is open in another window. Click "Use here" to use it in this window.',
    useHere: 'Use here', close: 'Close',
    warningTitle: 'You are sending too many messages',
    warningBody: 'Your account may be temporarily restricted if you keep messaging people who don\'t know you.',
    encrypted: 'Messages are end-to-end encrypted.',
    intro: 'Select a chat to start messaging',
    page: (n) => (n === 1 ? '1 page' : `${n} pages`),
    contactInfo: 'Contact info', groupInfo: 'Group info', notInContacts: 'Not in your contacts',
    sectionChats: 'Chats', sectionMessages: 'Messages', // E: results section headers (role=row); wording R
  },
  'pt-BR': {
    chatList: 'Lista de conversas',
    chats: 'Conversas',
    search: 'Pesquisar ou começar uma nova conversa', // E
    newChat: 'Nova conversa', // E
    typeMessage: 'Digite uma mensagem',
    typeMessageTo: (name, group) => (group ? `Digite uma mensagem para o grupo ${name}` : `Digite uma mensagem para ${name}`), // E
    send: 'Enviar',
    voice: 'Mensagem de voz', // E
    playVoice: 'Reproduzir mensagem de voz',
    attach: 'Anexar',
    openPicture: 'Abrir imagem',
    photo: 'Foto',
    quoted: 'Mensagem citada', // E
    forwarded: 'Encaminhada',
    deleted: 'Mensagem apagada',
    deletedMine: 'Você apagou esta mensagem',
    you: 'Você', // E
    unread: (n) => (n === 1 ? '1 mensagem não lida' : `${fmtInt(n, 'pt-BR')} mensagens não lidas`), // E
    unreadDivider: (n) => (n === 1 ? '1 mensagem não lida' : `${fmtInt(n, 'pt-BR')} mensagens não lidas`),
    ticks: { pending: ' Pendente ', sent: ' Enviada ', delivered: ' Entregue ', read: ' Lida ' }, // E (Enviada/Lida)
    muted: 'conversa silenciada', pinned: 'conversa fixada',
    filters: ['Tudo', 'Não lidas', 'Favoritas'],
    today: 'HOJE', yesterday: 'ONTEM', yesterdayShort: 'Ontem',
    weekdays: ['DOMINGO', 'SEGUNDA-FEIRA', 'TERÇA-FEIRA', 'QUARTA-FEIRA', 'QUINTA-FEIRA', 'SEXTA-FEIRA', 'SÁBADO'],
    readMore: 'Ler mais', // E (text; markup R)
    download: 'Baixar',
    docPages: (n) => (n === 1 ? '1 página' : `${n} páginas`),
    loadingOlder: 'Carregando mensagens…',
    olderFromPhone: 'Clique aqui para carregar mensagens mais antigas do seu celular.',
    qrTitle: 'Entrar no WhatsApp Web',
    qrAria: 'Escaneie este código QR para conectar um dispositivo!',
    qrPhone: 'Conectar com número de telefone',
    qrSteps: ['Abra o aplicativo de mensagens no seu celular', 'Toque em Menu ou Configurações e selecione Dispositivos conectados', 'Aponte seu celular para esta tela para escanear o código'],
    splash: 'Carregando suas conversas',
    notConnectedTitle: 'Computador não conectado',
    notConnectedBody: 'Verifique se o seu computador tem uma conexão ativa com a internet.',
    reconnect: 'Reconectar',
    conflictBody: 'O aplicativo está aberto em outra janela. Clique em "Usar aqui" para usá-lo nesta janela.',
    useHere: 'Usar aqui', close: 'Fechar',
    warningTitle: 'Você está enviando mensagens demais',
    warningBody: 'Sua conta pode ser restringida temporariamente se continuar enviando mensagens para pessoas que não conhecem você.',
    encrypted: 'As mensagens são protegidas com criptografia de ponta a ponta.',
    intro: 'Selecione uma conversa para começar',
    page: (n) => (n === 1 ? '1 página' : `${n} páginas`),
    contactInfo: 'Dados do contato', groupInfo: 'Dados do grupo', notInContacts: 'Não está nos seus contatos',
    sectionChats: 'Conversas', sectionMessages: 'Mensagens',
  },
};

export const LOCALES = Object.keys(STRINGS);

export function t(lang) {
  return STRINGS[lang] || STRINGS.en;
}

export function fmtInt(n, lang) {
  // "1.227" in pt-BR, "1,227" in en (E for pt-BR)
  const s = String(n);
  const sep = lang === 'pt-BR' ? '.' : ',';
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

const pad = (n) => String(n).padStart(2, '0');

// en "8:19 PM" (12 h), pt-BR "15:06" (24 h). E
export function fmtTime(ms, lang) {
  const d = new Date(ms);
  if (lang === 'pt-BR') return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const h = d.getHours() % 12 || 12;
  return `${h}:${pad(d.getMinutes())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

// en "6/13/2026" (month/day, no padding), pt-BR "03/07/2026" (day/month, padded). E
export function fmtDate(ms, lang) {
  const d = new Date(ms);
  if (lang === 'pt-BR') return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  return `${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}`;
}

// "[8:19 PM, 6/13/2026] Name: " -- always "[" time ", " date "] " name ": ". E
export function prePlainText(ms, lang, name) {
  return `[${fmtTime(ms, lang)}, ${fmtDate(ms, lang)}] ${name}: `;
}

function dayKey(ms) {
  const d = new Date(ms);
  return d.getFullYear() * 10000 + d.getMonth() * 100 + d.getDate();
}

export function sameDay(a, b) {
  return dayKey(a) === dayKey(b);
}

// Day separator label in the conversation: TODAY / YESTERDAY / a weekday within the last week /
// the date (E: the kinds of label; R: their exact wording and the one-week boundary).
export function fmtDay(ms, lang, nowMs = Date.now()) {
  const s = t(lang);
  if (sameDay(ms, nowMs)) return s.today;
  if (sameDay(ms, nowMs - 86400000)) return s.yesterday;
  for (let back = 2; back < 7; back++) {
    if (sameDay(ms, nowMs - back * 86400000)) return s.weekdays[new Date(ms).getDay()];
  }
  return fmtDate(ms, lang);
}

// Document size line: "2 pages • PDF • 245 kB" (R: WhatsApp shows pages, type and size).
export function fmtDocLine(file, bytes, lang) {
  const ext = (String(file).split('.').pop() || '').toUpperCase();
  const size = bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1).replace('.', lang === 'pt-BR' ? ',' : '.')} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;
  const pages = ext === 'PDF' ? [t(lang).docPages(1 + (bytes % 7))] : [];
  return [...pages, ext, size].join(' • ');
}

// Chat-list timestamp: time today, "Yesterday", else the date.
export function fmtListTime(ms, lang, nowMs = Date.now()) {
  if (sameDay(ms, nowMs)) return fmtTime(ms, lang);
  if (sameDay(ms, nowMs - 86400000)) return t(lang).yesterdayShort;
  return fmtDate(ms, lang);
}

export function fmtDuration(sec) {
  return `${Math.floor(sec / 60)}:${pad(sec % 60)}`;
}
