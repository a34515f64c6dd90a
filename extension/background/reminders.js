// @ts-check
// Reminders fire even when no WhatsApp tab and no Mettri page is open: the worker keeps one
// chrome.alarms alarm at the next due reminder and shows a chrome.notifications notification
// for each one that came due ("Abrir conversa" opens its chat). Nothing is kept here: at every
// start, alarm, clock move or reminder change the worker asks the core (crm.reminders.due),
// which also returns what came due while the browser was closed. A reminder stays due until
// the worker says it showed it (crm.reminders.notified), so a worker stopped mid-way loses none.
import "./worker-core.js";
import { alarmCheck } from "./alarm-check.js";
import { WHATSAPP, whatsappTab } from "../shared/whatsapp-tab.js";

const ALARM = "mettri-reminders";
const PREFIX = "mettri-reminder:";

const locale = chrome.i18n.getUILanguage();
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });

/** @param {Mettri.crm.CrmReminder} r */
function notificationId(r) {
  return PREFIX + JSON.stringify([r.id, r.key]);
}

/** @param {string} id @returns {string | null} the chat key a notification is about */
function chatOf(id) {
  if (!id.startsWith(PREFIX)) return null;
  try {
    const [, key] = JSON.parse(id.slice(PREFIX.length));
    return typeof key === "string" ? key : null;
  } catch {
    return null;
  }
}

/** @param {Mettri.crm.CrmReminder} r */
function show(r) {
  const when = dateTime.format(new Date(r.due_at * 1000));
  return chrome.notifications.create(notificationId(r), {
    type: "basic",
    iconUrl: chrome.runtime.getURL("extension/icons/icon128.png"),
    title: r.name,
    message: r.text,
    contextMessage: chrome.i18n.getMessage(r.overdue ? "reminder_notifyOverdue" : "reminder_notifyDue", [when]),
    buttons: [{ title: chrome.i18n.getMessage("reminder_openChat") }],
    requireInteraction: true,
    priority: 2,
  });
}

/** What the checks showed, for the tests and support (read through DevTools). */
const last = { shown: /** @type {string[]} */ ([]), next_due_in: /** @type {number | null} */ (null) };

/** Show what came due, tell the core; the alarm goes at the next one. */
async function once() {
  const due = await MettriApi.crm.reminders.due({});
  const ids = [];
  for (const r of due.due) {
    await show(r);
    ids.push(r.id);
  }
  if (ids.length) await MettriApi.crm.reminders.notified({ ids });
  last.shown.push(...ids);
  last.next_due_in = due.next_due_in;
  return due.next_due_in;
}

const alarm = alarmCheck(ALARM, once);
/** Show what came due, tell the core, and set the alarm at the next one (one check at a time). */
export const check = () => alarm.check();

/** @type {string | null} a chat to open in the WhatsApp tab just created, once it can */
let pendingOpen = null;
let pendingTries = 0;
let pendingTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
const RETRY_MS = 1500;
const RETRIES = 40; // a minute for WhatsApp Web to load and the tab to take the active role

/** Ask again until the new tab's capture names the chat (only the active, loaded tab acts on it). */
function retryOpen() {
  clearTimeout(pendingTimer);
  if (!pendingOpen || pendingTries++ >= RETRIES) {
    pendingOpen = null;
    return;
  }
  MettriApi.chat.open({ chat: pendingOpen }).catch(() => undefined);
  pendingTimer = setTimeout(retryOpen, RETRY_MS);
}

/** Bring a WhatsApp tab forward (or open one) and ask it to open ``chat``. @param {string} chat */
async function openChat(chat) {
  const tab = await whatsappTab();
  if (!tab?.id) {
    pendingOpen = chat;
    pendingTries = 0;
    await chrome.tabs.create({ url: WHATSAPP });
    retryOpen();
    return;
  }
  await chrome.tabs.update(tab.id, { active: true });
  if (tab.windowId != null) await chrome.windows.update(tab.windowId, { focused: true }).catch(() => undefined);
  await MettriApi.chat.open({ chat }).catch((err) => console.warn("mettri: open the reminder's chat", err));
}

/** @param {string} id */
function clicked(id) {
  const chat = chatOf(id);
  if (!chat) return;
  chrome.notifications.clear(id).catch(() => undefined);
  openChat(chat).catch((err) => console.warn("mettri: open the reminder's chat", err));
}

/** The core's events the worker hears (service-worker.js passes each broadcast). @param {Mettri.Event} e */
export function onCoreEvent(e) {
  if (e.event === "crm.reminders.changed" || e.event === "clock.moved" || (e.event === "core.boot" && e.data.stage === "ready")) {
    check();
  }
  if (e.event === "capture.chat_opened" && pendingOpen && e.data.chat) {
    // The new tab shows a chat: ours (maybe under another key of the person), or one the user
    // chose meanwhile; either way it is not pulled back again.
    pendingOpen = null;
    clearTimeout(pendingTimer);
  }
}

chrome.notifications.onClicked.addListener(clicked);
chrome.notifications.onButtonClicked.addListener((id, button) => button === 0 && clicked(id));

// For the tests and support (DevTools): what the checks did; a notification click by id.
Object.assign(globalThis, { mettriReminders: { last, checks: alarm.last, check, clicked } });
