// @ts-check
// Chrome's built-in on-device model (the Prompt API's LanguageModel global), detected, never assumed:
// most browsers (and the Chromium the tests run) do not have it, and then it is "unavailable".

/** @returns {any} the LanguageModel global, or null */
function languageModel() {
  const lm = /** @type {any} */ (globalThis).LanguageModel;
  return lm && typeof lm.availability === "function" && typeof lm.create === "function" ? lm : null;
}

/** @returns {Promise<"unavailable" | "downloadable" | "downloading" | "available">} */
export async function builtinAvailability() {
  const lm = languageModel();
  if (!lm) return "unavailable";
  try {
    const state = await lm.availability();
    return ["downloadable", "downloading", "available"].includes(state) ? state : "unavailable";
  } catch {
    return "unavailable";
  }
}

/**
 * One prompt to the on-device model: the system message as its instructions, the user message as
 * the prompt. Answers like the HTTP port: {content} or {error}.
 * @param {{ messages: { role: string, content: string }[], timeout_ms: number }} req
 */
export async function builtinChat(req) {
  const lm = languageModel();
  if (!lm || (await builtinAvailability()) !== "available") return { error: "unavailable" };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeout_ms);
  try {
    const system = req.messages.find((m) => m.role === "system");
    const user = req.messages.filter((m) => m.role === "user").map((m) => m.content).join("\n\n");
    const session = await lm.create({ initialPrompts: system ? [{ role: "system", content: system.content }] : [], signal: controller.signal });
    try {
      return { content: String(await session.prompt(user, { signal: controller.signal })) };
    } finally {
      session.destroy();
    }
  } catch {
    return { error: controller.signal.aborted ? "timeout" : "unavailable" };
  } finally {
    clearTimeout(timer);
  }
}
