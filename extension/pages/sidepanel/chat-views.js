// The chat list and one chat's messages. Text from WhatsApp is only ever set
// with textContent: never parsed as HTML.
const { t } = globalThis.MettriI18n;
const locale = chrome.i18n.getUILanguage();
const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

export function formatTime(ts) {
  return ts ? timeFormat.format(new Date(ts * 1000)) : "";
}

export function renderChats(chats, onOpen) {
  const list = document.getElementById("chat-list");
  document.getElementById("no-chats").hidden = chats.length > 0;
  list.replaceChildren(
    ...chats.map((chat) => {
      const li = el("li");
      li.tabIndex = 0;
      li.dataset.chat = chat.key;
      li.append(
        el("span", "title", chat.title),
        el("span", "meta", formatTime(chat.last_ts)),
        el("span", "preview", chat.preview ?? t("messagesCount", [String(chat.message_count ?? 0)])),
      );
      li.addEventListener("click", () => onOpen(chat));
      li.addEventListener("keydown", (e) => e.key === "Enter" && onOpen(chat));
      return li;
    }),
  );
}

export function renderMessages(chat, messages, health) {
  document.getElementById("chat-title").textContent = chat.title;
  const figure = document.getElementById("capture-health");
  figure.hidden = !health;
  if (health) {
    const share = Math.round((health.clean_share ?? 1) * 100);
    figure.textContent = t("captureHealth", [String(share), health.count.toLocaleString(locale)]);
    figure.className = "health " + (share >= 99 ? "good" : share >= 90 ? "fair" : "poor");
  }
  document.getElementById("no-messages").hidden = messages.length > 0;
  const list = document.getElementById("message-list");
  list.replaceChildren(
    ...messages.map((m) => {
      const li = el("li", m.direction, m.text || `[${t(`type_${m.type}`)}]`);
      li.dataset.key = m.key;
      const who = m.direction === "out" ? t("you") : m.author ?? "";
      li.append(el("span", "when", [who, formatTime(m.ts)].filter(Boolean).join(" · ")));
      return li;
    }),
  );
  list.lastElementChild?.scrollIntoView({ block: "end" }); // newest at the bottom, as in WhatsApp
}
