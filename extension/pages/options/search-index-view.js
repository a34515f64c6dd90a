// @ts-check
// The search index: how many messages it holds, what is still waiting, where it started from
// (its saved copy, or empty and why), and a rebuild for when search seems to miss something.
import { count, el, fact, fmtTime, locale } from "../sidepanel/dom.js";

const api = MettriApi;
const { t, tn, errorText } = MettriI18n;

/** @param {HTMLElement} root */
export async function mountSearchIndex(root) {
  const size = new Intl.NumberFormat(locale, { style: "unit", unit: "kilobyte", maximumFractionDigits: 0 });

  const facts = el("dl", { id: "search-index-status" });
  const button = el("button", { type: "button", id: "search-rebuild" }, t("searchRebuild"));
  const bar = el("progress", { id: "search-rebuild-progress", max: 1, value: 0, "aria-label": t("searchRebuildProgress") });
  bar.hidden = true;
  const message = el("p", { id: "search-rebuild-message", role: "status" });
  root.replaceChildren(el("p", { class: "note" }, t("searchIndexIntro")), facts, button, bar, message);

  async function refresh() {
    const s = await api.search.status({});
    const snap = s.snapshot;
    facts.replaceChildren(
      ...fact(t("searchIndexed"), count(s.indexed), "search-indexed"),
      ...fact(t("searchPending"), count(s.pending), "search-pending"),
      ...fact(t("searchSnapshot"), snap ? t("searchSnapshotSaved", [fmtTime(snap.created_at),
        count(snap.docs), size.format(snap.bytes / 1024)]) : t("searchSnapshotNone"), "search-snapshot"),
      ...fact(t("searchStartedFrom"), t(s.started_from === "snapshot" ? "searchFromSnapshot" : "searchFromEmpty"), "search-started"),
      ...(s.rebuild_reason ? fact(t("searchRebuildWhy"), t(`searchReason_${s.rebuild_reason}`), "search-reason") : []),
    );
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    message.className = "";
    message.textContent = t("searchRebuilding");
    try {
      const r = await api.search.rebuild({}, { timeoutMs: 600_000 });
      message.textContent = tn("searchRebuilt", r.indexed, [count(r.indexed), count(Math.round(r.took_ms / 100) / 10)]);
    } catch (err) {
      message.className = "error";
      message.textContent = errorText(/** @type {Mettri.CallError} */ (err));
    } finally {
      button.disabled = false;
      bar.hidden = true;
      await refresh();
    }
  });

  MettriCore.onEvent((env) => {
    if (env.event !== "search.progress" || bar.hidden) return;
    bar.max = Math.max(1, env.data.total);
    bar.value = env.data.done;
  });
  await refresh();
}
