// @ts-check
// The full-tab "your data" page: import a chat export (the same view as the side panel's), and
// export, restore and erase (LGPD).
import { byId } from "../sidepanel/dom.js";
import { mount as mountImport } from "./import-view.js";
import { mount as mountPrivacy } from "./privacy-view.js";

MettriI18n.apply();

async function start() {
  await MettriCore.ensureCore();
  mountImport(byId("import-section"), { fullPage: true });
  mountPrivacy(byId("privacy-section"));
  if (location.hash === "#privacy") byId("privacy-section").scrollIntoView();
}
start();
