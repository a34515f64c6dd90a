// Side panel: core state, captured chats, and the messages of the open chat,
// refreshed live from the core's events.
import { renderBoot } from "./boot-view.js";
import { renderChats, renderMessages } from "./chat-views.js";

const { call, request, onEvent, ensureCore } = globalThis.MettriCore;
globalThis.MettriI18n.apply();

let openChat = null;
let refreshTimer = null;

async function refresh() {
  try {
    const { chats } = await call("chats.list", { limit: 200 });
    renderChats(chats, show);
    if (openChat) {
      const { messages } = await call("messages.list", { chat: openChat.key, limit: 200, newest_first: false });
      renderMessages(openChat, messages);
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
  document.getElementById("chats-view").hidden = !!chat;
  document.getElementById("chat-view").hidden = !chat;
  refresh();
}

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
