// @ts-check
// Sends over time as a small inline SVG bar chart (per minute or per hour,
// whichever gives a readable number of bars). Numbers people would rather see.
import { count, t } from "../dom.js";

const NS = "http://www.w3.org/2000/svg";
const MAX_BARS = 48;

/**
 * Count times (seconds) into buckets; returns {size, start, counts}.
 * @param {number[]} times
 */
export function bucketize(times) {
  if (!times.length) return { size: 60, start: 0, counts: [] };
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const size = [60, 300, 900, 3600, 6 * 3600, 86400].find((s) => (hi - lo) / s < MAX_BARS) || 86400;
  const start = Math.floor(lo / size) * size;
  const counts = new Array(Math.floor((hi - start) / size) + 1).fill(0);
  for (const x of times) counts[Math.floor((x - start) / size)] += 1;
  return { size, start, counts };
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
function svg(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * @param {number[]} times
 * @param {{ width?: number, height?: number }} [size]
 */
export function sendsChart(times, { width = 300, height = 80 } = {}) {
  const { size, counts } = bucketize(times);
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart" });
  const unit = size >= 3600 ? t("chartPerHours", [String(size / 3600)]) : t("chartPerMinutes", [String(size / 60)]);
  const title = svg("title", {});
  title.textContent = t("chartTitle", [count(times.length), unit]);
  root.setAttribute("aria-label", title.textContent);
  root.append(title);
  const top = Math.max(1, ...counts);
  const bw = counts.length ? width / counts.length : width;
  counts.forEach((n, i) => {
    const h = Math.round(((height - 12) * n) / top);
    const bar = svg("rect", { x: i * bw + 1, y: height - h, width: Math.max(1, bw - 2), height: h, class: "bar" });
    const tip = svg("title", {});
    tip.textContent = count(n);
    bar.append(tip);
    root.append(bar);
  });
  const label = svg("text", { x: 2, y: 10, class: "chart-label" });
  label.textContent = `${count(top)} / ${unit}`;
  root.append(label);
  return root;
}
