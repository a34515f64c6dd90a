// @ts-check
// Metrics: captured, sent and blocked messages per day, as a chart.
import { barChart } from "../../shared/bar-chart.js";
import { count, locale } from "../sidepanel/dom.js";

const { t } = MettriI18n;
// A day of the chart as the page's locale writes it short: 07/12 in pt-BR, 12/07 in English.
const dayFormat = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", timeZone: "UTC" });

/** @param {HTMLElement} root */
export async function mountMetrics(root) {
  const m = await MettriApi.metrics.summary({ days: 14, utc_offset_min: -new Date().getTimezoneOffset() });
  // d.day is the local day's date (YYYY-MM-DD): read at UTC midnight and written in UTC, it stays that day.
  const rows = m.days.map((d) => ({ ...d, label: dayFormat.format(new Date(`${d.day}T00:00:00Z`)) }));
  const chart = barChart(
    rows,
    [
      { key: "captured_in", label: t("metricIn"), color: "#2e7d9a" },
      { key: "captured_out", label: t("metricOut"), color: "#0b7a55" },
      { key: "sent", label: t("metricSent"), color: "#7a5fb0" },
      { key: "blocked", label: t("metricBlocked"), color: "#b3261e" },
    ],
    { title: t("metricsTitle"), format: count },
  );
  const totals = document.createElement("p");
  const share = m.capture_clean_share == null ? "—" : `${Math.round(m.capture_clean_share * 100)}%`;
  totals.textContent = t("metricsTotals", [count(m.messages_total), count(m.chats_total), share]);
  root.replaceChildren(chart, totals);
}
