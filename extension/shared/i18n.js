// Fills [data-i18n] elements from chrome.i18n (pt-BR first, English second).
// Always textContent: translated strings are never parsed as HTML.
(() => {
  function t(key, substitutions) {
    return chrome.i18n.getMessage(key, substitutions) || key;
  }
  function apply(root = document) {
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    document.documentElement.lang = chrome.i18n.getUILanguage();
  }
  globalThis.MettriI18n = Object.freeze({ t, apply });
})();
