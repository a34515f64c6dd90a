// @ts-check
// The service worker's first import: modules run in import order, so the core's document is asked
// for before the worker's other modules run (they took 60-80 ms at a browser's start).
import { startOffscreen } from "./offscreen-manager.js";

startOffscreen().catch((err) => console.error("mettri: offscreen start failed", err));
