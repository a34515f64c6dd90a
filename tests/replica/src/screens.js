// Screens other than the connected app: loading splash, QR login, "open in another window".
import { h } from './dom.js';
import { t } from './i18n.js';

export function splash(lang) {
  // E (weak): inline style --splashscreen-startup-background
  return h('div', { class: 'splash', style: '--splashscreen-startup-background: #fcf5eb' },
    h('div', { class: 'splash-logo', 'aria-hidden': 'true' }),
    h('progress', { value: '0', max: '100', class: 'splash-progress' }),
    h('div', { class: 'splash-text' }, t(lang).splash));
}

export function newDataRef() {
  // Opaque like the real one: a version digit, '@', then base64-ish noise (R).
  const b = new Uint8Array(48);
  crypto.getRandomValues(b);
  return `2@${btoa(String.fromCharCode(...b)).replace(/=+$/, '')},${Date.now()}`;
}

// Pseudo-QR: a pattern derived from the data-ref (not a real, scannable QR code).
function drawQr(canvas, ref) {
  const n = 33;
  const size = 264;
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  ctx.fillStyle = '#122e31';
  const cell = size / n;
  let x = 2166136261;
  for (let i = 0; i < ref.length; i++) x = Math.imul(x ^ ref.charCodeAt(i), 16777619);
  x |= 1;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32
      const finder = (r < 8 && c < 8) || (r < 8 && c >= n - 8) || (r >= n - 8 && c < 8);
      if (!finder && (x >>> 0) % 2) ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  for (const [fr, fc] of [[0, 0], [0, n - 7], [n - 7, 0]]) {
    ctx.fillRect(fc * cell, fr * cell, 7 * cell, 7 * cell);
    ctx.fillStyle = '#fff';
    ctx.fillRect((fc + 1) * cell, (fr + 1) * cell, 5 * cell, 5 * cell);
    ctx.fillStyle = '#122e31';
    ctx.fillRect((fc + 2) * cell, (fr + 2) * cell, 3 * cell, 3 * cell);
  }
}

export function qrScreen(lang, ref, onLogin) {
  const s = t(lang);
  const canvas = h('canvas', { 'aria-label': s.qrAria, role: 'img' }); // E
  drawQr(canvas, ref);
  const holder = h('div', { 'data-ref': ref, class: 'qr-holder' }, canvas); // E: div[data-ref] canvas
  return h('div', { class: 'landing' },
    h('div', { class: 'landing-card' },
      h('div', { class: 'landing-text' },
        h('h1', null, s.qrTitle),
        h('ol', null, s.qrSteps.map((x) => h('li', null, x))),
        h('span', { role: 'button', tabindex: '0', class: 'link', onclick: onLogin }, s.qrPhone)),
      holder));
}

export function updateQr(root, ref) {
  const holder = root.querySelector('[data-ref]');
  if (!holder) return;
  holder.setAttribute('data-ref', ref);
  drawQr(holder.querySelector('canvas'), ref);
}

export function conflictScreen(lang, onUseHere) {
  const s = t(lang);
  return h('div', { class: 'landing conflict' },
    h('div', { class: 'landing-card', 'data-animate-modal-popup': 'true' },
      h('div', { class: 'landing-text' }, h('p', null, s.conflictBody)),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary' }, s.close),
        h('button', { type: 'button', class: 'primary', onclick: onUseHere }, s.useHere))));
}
