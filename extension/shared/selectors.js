globalThis.MettriSelectors = {};
