// Tiny element builder: h('div', {role: 'row', style: '...'}, child, 'text', ...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style') el.style.cssText = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// testid only exists in the 2026 generation (E: removed 2023-08, back ~2026).
export function tid(gen, id) {
  return gen === '2026' ? id : null;
}

const EMOJI_RE = /(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*\uFE0F?)/u;
const emojiSrc = new Map();
// The glyph is drawn from the system font into an SVG (no WhatsApp emoji sprites).
function emojiUrl(e) {
  let u = emojiSrc.get(e);
  if (!u) {
    u = `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><text x="0" y="16" font-size="16">${e}</text></svg>`)}`;
    emojiSrc.set(e, u);
  }
  return u;
}

// Text with emoji as <img alt data-plain-text> (E).
export function richText(text) {
  const parts = String(text).split(EMOJI_RE);
  return parts.map((p, i) => (i % 2 === 1
    ? h('img', { crossorigin: 'anonymous', src: emojiUrl(p), alt: p, 'data-plain-text': p, class: 'emoji', draggable: 'false' })
    : p)).filter((p) => p !== '');
}
