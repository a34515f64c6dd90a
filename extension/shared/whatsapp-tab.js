// @ts-check
// The WhatsApp Web tab that acts for Mettri. Several may be open; the core elects one active
// (the others idle and ignore chat.open), so "open this chat" must bring that one forward,
// not whichever tabs.query lists first.
export const WHATSAPP = "https://web.whatsapp.com/";

/** The elected tab, else any WhatsApp tab, else null. @returns {Promise<chrome.tabs.Tab | null>} */
export async function whatsappTab() {
  const tabs = await chrome.tabs.query({ url: `${WHATSAPP}*` });
  /** @type {string | null} */
  let active = null;
  try {
    active = (await MettriApi.connection.state({})).tabs.active;
  } catch {
    // The core is not up yet: any WhatsApp tab will take the active role when it is.
  }
  return tabs.find((tab) => String(tab.id) === active) ?? tabs[0] ?? null;
}
