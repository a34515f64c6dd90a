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
  // The language of the extension's own strings (@@ui_locale, which can differ from
  // getUILanguage(): Chrome picks messages by its application locale), so text the core
  // sends in both languages is shown in the same one as the page around it. pt-BR first.
  function isPt() {
    return chrome.i18n.getMessage("@@ui_locale").toLowerCase().startsWith("pt");
  }
  /** One of a pair the core sends in both languages. */
  function pick(pt, en) {
    return isPt() ? pt : en;
  }
  globalThis.MettriI18n = Object.freeze({ t, apply, pick });
})();
