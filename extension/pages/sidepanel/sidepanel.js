// Side panel: core state, captured chats, and the messages of the open chat,
// refreshed live from the core's events.
import { renderBoot } from "./boot-view.js";
import { renderChats, renderMessages } from "./chat-views.js";
import { mountBackfill, mountScan } from "./history-controls.js";
import { views } from "./views.js";

const { call, request, onEvent, ensureCore } = globalThis.MettriCore;
globalThis.MettriI18n.apply();

let openChat = null;
let refreshTimer = null;
const backfill = mountBackfill(document.getElementById("backfill-controls"));
mountScan(document.getElementById("scan-controls"), () => refresh());

async function refresh() {
  try {
    // Redrawn up to 4 times a second while capturing: 500 rows at most; the rest are found by search.
    const { chats } = await call("chats.list", { limit: 500, with_scanned: true });
    renderChats(chats, show);
    if (openChat) {
      // The newest 200, shown oldest first as in WhatsApp.
      const { messages } = await call("messages.list", { chat: openChat.key, limit: 200, newest_first: true });
      const health = await call("capture.health", { chat: openChat.key });
      renderMessages(openChat, messages.reverse(), health.chats[0]);
    }
  } catch (err) {
    console.warn("mettri: refresh failed", err);
  }
}

// Many events can arrive in a burst while capturing: redraw at most 4 times a second.
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refresh();
  }, 250);
}

function show(chat) {
  openChat = chat;
  backfill.setChat(chat ? chat.key : null);
  document.getElementById("chats-view").hidden = !!chat;
  document.getElementById("chat-view").hidden = !chat;
  refresh();
}

// Tabs: the chats view is built in; other views mount themselves once, when first shown.
const mounted = new Set();
function showView(name) {
  for (const tab of document.querySelectorAll(".tabs [data-view]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === name));
  }
  for (const section of document.querySelectorAll("#views > .view")) section.hidden = section.id !== `${name}-view`;
  if (views[name] && !mounted.has(name)) {
    mounted.add(name);
    views[name].mount(document.getElementById(`${name}-view`));
  }
  if (views[name] && views[name].shown) views[name].shown();
}
for (const tab of document.querySelectorAll(".tabs [data-view]")) {
  tab.addEventListener("click", () => showView(tab.dataset.view));
}
globalThis.mettriShowView = showView;

document.getElementById("back").addEventListener("click", () => show(null));
document.getElementById("boot-retry").addEventListener("click", () =>
  chrome.runtime.sendMessage({ to: "sw", kind: "restart_core" }),
);

onEvent((envelope) => {
  if (envelope.event === "core.boot") {
    renderBoot(envelope.data);
    if (envelope.data.stage === "ready") refresh();
  } else if (envelope.event.startsWith("messages.") || envelope.event.startsWith("chats.")) {
    scheduleRefresh();
  }
});

async function start() {
  await ensureCore();
  const reply = await request("core.boot_state", {}, { timeoutMs: 10_000 });
  renderBoot(reply.ok ? reply.result : { stage: "starting" });
  if (reply.ok && reply.result.stage === "ready") refresh();
}
start();
