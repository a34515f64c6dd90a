// @ts-check
// Fills [data-i18n] elements from chrome.i18n (pt-BR first, English second).
// Always textContent: translated strings are never parsed as HTML.
var MettriI18n = (() => {
  /**
   * A message of extension/_locales in the browser's language; the key itself when missing.
   * @param {string} key
   * @param {string | string[]} [substitutions]
   */
  function t(key, substitutions) {
    return chrome.i18n.getMessage(key, substitutions) || key;
  }
  /**
   * A message about a count: ``<key>_one`` when the count is exactly 1 ("1 mensagem"), else
   * ``<key>`` ("3 mensagens"). chrome.i18n has no plurals; both languages have these two forms.
   * @param {string} key
   * @param {number} n
   * @param {string | string[]} [substitutions]
   */
  function tn(key, n, substitutions) {
    return (n === 1 && chrome.i18n.getMessage(`${key}_one`, substitutions)) || t(key, substitutions);
  }
  /** @param {ParentNode} [root] */
  function apply(root = document) {
    /** @param {string} css */
    const all = (css) => /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll(css));
    for (const el of all("[data-i18n]")) el.textContent = t(el.dataset.i18n ?? "");
    for (const el of all("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle ?? "");
    document.documentElement.lang = chrome.i18n.getUILanguage();
  }
  // The language of the extension's own strings (@@ui_locale, which can differ from
  // getUILanguage(): Chrome picks messages by its application locale), so text the core
  // sends in both languages is shown in the same one as the page around it. pt-BR first.
  function isPt() {
    return chrome.i18n.getMessage("@@ui_locale").toLowerCase().startsWith("pt");
  }
  /**
   * One of a pair the core sends in both languages.
   * @param {string} pt
   * @param {string} en
   */
  function pick(pt, en) {
    return isPt() ? pt : en;
  }
  /**
   * A refused command in the page's language: the core's own words when it gave them in both
   * languages (details [{pt_BR, en}]), else a sentence for its error code.
   * @param {{ code: string, details?: { [key: string]: unknown }[] }} err
   */
  function errorText(err) {
    for (const d of err.details || []) {
      if (typeof d.pt_BR === "string" && typeof d.en === "string") return pick(d.pt_BR, d.en);
    }
    return chrome.i18n.getMessage(`error_${err.code}`) || t("error_other");
  }
  return Object.freeze({ t, tn, apply, pick, errorText });
})();
