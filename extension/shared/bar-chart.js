// @ts-check
// A small grouped bar chart in inline SVG (no library, no remote code).
// series: [{key, label, color}], rows: [{label, <key>: number}]
const SVG = "http://www.w3.org/2000/svg";

/**
 * @typedef {{ key: string, label: string, color: string }} Series
 * @typedef {{ label: string, [key: string]: string | number }} Row
 */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string | number | null} [text]
 */
function node(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text != null) el.textContent = String(text);
  return el;
}

/**
 * The smallest of 1, 2, 5, 10, 20, 50... that is at least x (whole numbers: counts are whole).
 * @param {number} x
 */
function niceStep(x) {
  for (let p = 1; ; p *= 10) for (const m of [1, 2, 5]) if (m * p >= x) return m * p;
}

/**
 * @param {Row[]} rows
 * @param {Series[]} series
 * @param {{ width?: number, height?: number, title?: string, format?: (n: number) => string }} [options]
 *   format: how a number is written (the page's locale: 1.234 in pt-BR, 1,234 in English)
 */
export function barChart(rows, series, { width = 640, height = 180, title = "", format = String } = {}) {
  const pad = { top: 10, right: 8, bottom: 24, left: 32 };
  /** @param {Row} row @param {Series} s */
  const value = (row, s) => Number(row[s.key]) || 0;
  // The axis goes up to a round number in even steps (0, 1, 2, 3 or 0, 50, 100, 150): steps of 1, 2
  // or 5 times a power of ten, at most three above zero.
  const highest = Math.max(1, ...rows.flatMap((r) => series.map((s) => value(r, s))));
  const step = niceStep(highest / 3);
  const max = Math.ceil(highest / step) * step;
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const group = innerW / Math.max(1, rows.length);
  const bar = Math.max(1, (group - 4) / series.length);
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart" });
  svg.append(node("title", {}, title));
  for (let tick = 0; tick <= max; tick += step) {
    const y = pad.top + innerH - (tick / max) * innerH;
    svg.append(node("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: "grid" }));
    svg.append(node("text", { x: pad.left - 4, y: y + 4, "text-anchor": "end", class: "axis" }, format(tick)));
  }
  rows.forEach((row, i) => {
    const x0 = pad.left + i * group + 2;
    series.forEach((s, j) => {
      const v = value(row, s);
      const h = (v / max) * innerH;
      const rect = node("rect", { x: x0 + j * bar, y: pad.top + innerH - h, width: bar - 1, height: h, fill: s.color });
      rect.append(node("title", {}, `${row.label} · ${s.label}: ${format(v)}`));
      svg.append(rect);
    });
    if (rows.length <= 16 || i % 2 === 0) {
      svg.append(node("text", { x: x0 + group / 2 - 2, y: height - 8, "text-anchor": "middle", class: "axis" }, row.label));
    }
  });
  const legend = document.createElement("p");
  legend.className = "legend";
  for (const s of series) {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = s.color;
    item.append(swatch, document.createTextNode(s.label));
    legend.append(item);
  }
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.append(svg, legend);
  return figure;
}
