// @ts-check
// Open a person's chat in WhatsApp Web: the core asks the WhatsApp tab to open it (chat.open,
// the same path as the side panel's search); this page brings that tab to the front, or opens
// WhatsApp Web when no tab has it (the chat is then opened from the search there by the user).
import { WHATSAPP, whatsappTab } from "../../shared/whatsapp-tab.js";

/** @param {string} key the record's chat key */
export async function openInWhatsApp(key) {
  const tab = await whatsappTab();
  if (!tab?.id) {
    await chrome.tabs.create({ url: WHATSAPP });
    return;
  }
  await MettriApi.chat.open({ chat: key });
  await chrome.tabs.update(tab.id, { active: true });
  if (tab.windowId != null) await chrome.windows.update(tab.windowId, { focused: true });
}
