// @ts-check
// Suggestions from a language model (off by default): turn it on, say where it is (an
// OpenAI-compatible URL and model name, or Chrome's built-in model when the browser has one), keep
// the API key in chrome.storage.local only, ask Chrome for access to that one origin at run time,
// and show exactly what would be sent for a chosen chat. The rules (URL check, prompt) are the
// core's (pycore/suggest/model.py); this view draws and forwards. Texts are drawn as text.
import { el } from "../sidepanel/dom.js";
import { readModelKey, writeModelKey } from "../../shared/model-key.js";
import { builtinAvailability } from "../../shared/builtin-model.js";

const api = MettriApi;
const { t, errorText } = MettriI18n;
/**
 * @param {string} key
 * @param {string[]} subs
 */
const t2 = (key, subs) => chrome.i18n.getMessage(key, subs) || key;

/** @param {HTMLElement} root */
export async function mountModel(root) {
  const enabled = el("input", { id: "llm-enabled", name: "enabled", type: "checkbox" });
  const provider = el("select", { id: "llm-provider", name: "provider" },
    el("option", { value: "endpoint" }, t("llm_provider_endpoint")),
    el("option", { value: "builtin" }, t("llm_provider_builtin")));
  const endpoint = el("input", { id: "llm-endpoint", name: "endpoint", type: "url", maxlength: 2000, autocomplete: "off",
                                 placeholder: "https://…/v1" });
  const model = el("input", { id: "llm-model", name: "model", type: "text", maxlength: 200, autocomplete: "off" });
  const key = el("input", { id: "llm-key", name: "key", type: "password", autocomplete: "off" });
  const keyState = el("p", { id: "llm-key-state", class: "note" });
  const removeKey = el("button", { type: "button", id: "llm-key-remove" }, t("llm_key_remove"));
  const timeout = el("input", { id: "llm-timeout", name: "timeout", type: "number", min: 0.5, max: 60, step: 0.5 });
  const save = el("button", { type: "submit", id: "llm-save" }, t("llm_save"));
  const message = el("p", { id: "llm-message", role: "status" });
  const permission = el("p", { id: "llm-permission", class: "note" });
  const allow = el("button", { type: "button", id: "llm-allow", hidden: true }, t("llm_permission_ask"));
  const builtin = el("p", { id: "llm-builtin", class: "note" });
  const form = el("form", { id: "llm-form", class: "tpl-form" },
    el("label", { for: "llm-enabled" }, t("llm_enabled")), enabled,
    el("label", { for: "llm-provider" }, t("llm_provider")), provider,
    el("label", { for: "llm-endpoint" }, t("llm_endpoint")), endpoint,
    el("label", { for: "llm-model" }, t("llm_model")), model,
    el("label", { for: "llm-key" }, t("llm_key")), key,
    el("span", {}), el("div", {}, keyState, removeKey),
    el("label", { for: "llm-timeout" }, t("llm_timeout")), timeout,
    el("span", {}), el("div", { class: "tpl-buttons" }, save),
  );
  const chat = el("select", { id: "llm-preview-chat", name: "chat" });
  const show = el("button", { type: "button", id: "llm-preview" }, t("llm_preview_show"));
  const preview = el("div", { id: "llm-preview-out", class: "tpl-preview", role: "status" });
  root.replaceChildren(
    el("p", { class: "note" }, t("llm_intro")),
    builtin, form, message, el("div", {}, permission, allow),
    el("h3", {}, t("llm_preview_title")),
    el("div", { class: "tpl-preview-row" }, el("label", { for: "llm-preview-chat" }, t("llm_preview_for")), chat, show),
    preview,
  );

  /** @type {string} the host permission pattern the settings need, "" when none */
  let origin = "";

  /**
   * @param {string} what
   * @param {boolean} [error]
   */
  function say(what, error = false) {
    message.textContent = what;
    message.className = error ? "error" : "";
    message.setAttribute("role", error ? "alert" : "status");
  }

  async function drawKey() {
    const saved = (await readModelKey()) !== "";
    keyState.textContent = t(saved ? "llm_key_saved" : "llm_key_none");
    removeKey.hidden = !saved;
  }

  /** Whether Chrome lets the extension reach the endpoint's origin; the button asks for it. */
  async function drawPermission() {
    if (!origin || provider.value !== "endpoint") {
      permission.textContent = "";
      allow.hidden = true;
      return;
    }
    const granted = await chrome.permissions.contains({ origins: [origin] });
    permission.textContent = t2(granted ? "llm_permission_granted" : "llm_permission_missing", [origin]);
    permission.dataset.granted = String(granted);
    allow.hidden = granted;
  }

  /** @param {Mettri.suggestions.ModelSettingsResult} r */
  function draw(r) {
    enabled.checked = r.settings.enabled;
    provider.value = r.settings.provider;
    endpoint.value = r.settings.endpoint;
    model.value = r.settings.model;
    timeout.value = String(r.settings.timeout_s);
    origin = r.origin;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = {
      enabled: enabled.checked,
      provider: /** @type {Mettri.suggestions.ModelProvider} */ (provider.value),
      endpoint: endpoint.value,
      model: model.value,
      timeout_s: Number(timeout.value) || 8,
    };
    try {
      draw(await api.suggestion.model.set({ values }));
    } catch (err) {
      say(errorText(/** @type {Mettri.CallError} */ (err)), true);
      return;
    }
    if (key.value) await writeModelKey(key.value);
    key.value = "";
    say(t("llm_saved"));
    await drawKey();
    await drawPermission();
  });

  removeKey.addEventListener("click", async () => {
    await writeModelKey("");
    await drawKey();
  });

  allow.addEventListener("click", async () => {
    // Asked for in the click itself (Chrome requires a user gesture), for this one origin only.
    const granted = await chrome.permissions.request({ origins: [origin] }).catch(() => false);
    if (!granted) say(t("llm_permission_denied"), true);
    await drawPermission();
  });

  show.addEventListener("click", async () => {
    if (!chat.value) {
      preview.replaceChildren(t("llm_preview_nochat"));
      return;
    }
    try {
      const p = await api.suggestion.model.preview({ chat: chat.value });
      const to = p.provider === "builtin" ? t("llm_preview_builtin")
        : t2("llm_preview_to", [p.url || "—", p.model || "—"]);
      preview.replaceChildren(
        el("p", { class: "note" }, to),
        ...p.messages.map((m) => el("div", { class: "llm-message", dataset: { role: m.role } },
          el("strong", {}, t(m.role === "system" ? "llm_role_system" : "llm_role_user")),
          el("pre", { class: "llm-content" }, m.content))),
        el("p", { class: "note" }, t("llm_preview_key")),
        el("details", {}, el("summary", {}, t("llm_preview_body")), el("pre", { id: "llm-preview-body" }, p.body)),
      );
      preview.dataset.ready = "1"; // the tests' signal: the preview for this chat is drawn
    } catch (err) {
      preview.replaceChildren(errorText(/** @type {Mettri.CallError} */ (err)));
    }
  });

  const state = await builtinAvailability();
  builtin.textContent = t2("llm_builtin_state", [t(`llm_builtin_${state}`)]);
  builtin.dataset.state = state;
  draw(await api.suggestion.model.get({}));
  const { chats } = await api.chats.list({ limit: 500 });
  chat.replaceChildren(el("option", { value: "" }, t("llm_preview_nochat")),
    ...chats.map((c) => el("option", { value: c.key }, c.title)));
  await drawKey();
  await drawPermission();
  root.dataset.ready = "1";
}
