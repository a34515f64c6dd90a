// Shows the core's start-up stages, and a failure as a clear state with a retry.
const STAGES = ["runtime", "packages", "core"];
const { t } = globalThis.MettriI18n;

export function renderBoot(state) {
  const pill = document.getElementById("core-state");
  const box = document.getElementById("boot");
  const list = document.getElementById("boot-stages");
  const error = document.getElementById("boot-error");
  const retry = document.getElementById("boot-retry");
  const stage = state?.stage ?? "starting";
  pill.className = "pill " + (stage === "ready" ? "ready" : stage === "failed" ? "failed" : "");
  pill.textContent = stage === "ready" ? t("coreReady") : stage === "failed" ? t("coreFailed") : t("coreStarting");
  pill.dataset.stage = stage;
  box.hidden = stage === "ready";
  list.replaceChildren(
    ...STAGES.map((name) => {
      const li = document.createElement("li");
      li.textContent = t(`coreStage_${name}`);
      if (state?.stages && name in state.stages) {
        li.className = "done";
        li.textContent += ` (${(state.stages[name] / 1000).toFixed(1)} s)`;
      } else if (name === stage) li.className = "active";
      return li;
    }),
  );
  error.hidden = stage !== "failed";
  retry.hidden = stage !== "failed";
  error.textContent = state?.error ?? "";
}
