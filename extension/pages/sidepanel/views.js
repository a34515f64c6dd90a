// @ts-check
// The side panel's views besides the chat list, each a module with mount(root) and optionally
// shown() / hidden().
import * as card from "./card-view.js";
import * as followups from "./followups-view.js";
import * as imports from "../data/import-view.js";
import * as search from "./search-view.js";
import * as sending from "./sending-view.js";

/** @type {{ refresh(): Promise<void> } | null} */
let mountedImport = null;
/** The import view also needs its stylesheet (the full-tab page links it itself); shown again, it
 *  lists the imports anew (one may have finished meanwhile). */
const importView = {
  /** @param {HTMLElement} root */
  mount(root) {
    document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: "../data/data.css" }));
    mountedImport = imports.mount(root);
  },
  shown() {
    if (mountedImport) void mountedImport.refresh();
  },
};

export const views = { card, followups, search, sending, import: importView };
