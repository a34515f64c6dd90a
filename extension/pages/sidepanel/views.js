// @ts-check
// The side panel's views besides the chat list, each a module with mount(root).
import * as search from "./search-view.js";
import * as sending from "./sending-view.js";

export const views = { search, sending };
