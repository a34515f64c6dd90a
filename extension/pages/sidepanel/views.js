// @ts-check
// The side panel's views besides the chat list, each a module with mount(root) and optionally
// shown() / hidden().
import * as card from "./card-view.js";
import * as followups from "./followups-view.js";
import * as search from "./search-view.js";
import * as sending from "./sending-view.js";

export const views = { card, followups, search, sending };
