// @ts-check
// Shows the core's start-up stages, and a failure as a clear state with a retry.
import { byId, seconds, t } from "./dom.js";

/**
 * The core's state in a word or two (the side panel's pill, the diagnostics page).
 * @param {string} stage
 */
export const coreStateLabel = (stage) => t(stage === "ready" ? "coreReady" : stage === "failed" ? "coreFailed" : "coreStarting");

/** @param {Partial<Mettri.Result<"core.boot_state">> | null | undefined} state */
export function renderBoot(state) {
  const pill = byId("core-state");
  const box = byId("boot");
  const list = byId("boot-stages");
  const error = byId("boot-error");
  const retry = byId("boot-retry");
  const stage = state?.stage ?? "starting";
  pill.className = "pill " + (stage === "ready" ? "ready" : stage === "failed" ? "failed" : "");
  pill.textContent = coreStateLabel(stage);
  pill.dataset.stage = stage;
  box.hidden = stage === "ready";
  list.replaceChildren(
    ...MettriProtocol.system.BootStageName.map((name) => {
      const li = document.createElement("li");
      li.textContent = t(`coreStage_${name}`);
      const ms = state?.stages?.[name];
      if (ms != null) {
        li.className = "done";
        li.textContent += ` (${seconds(ms)} s)`; // 1,5 s in pt-BR, 1.5 s in English
      } else if (name === stage) li.className = "active";
      return li;
    }),
  );
  error.hidden = stage !== "failed";
  retry.hidden = stage !== "failed";
  error.textContent = state?.error ?? "";
}
