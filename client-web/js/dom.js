// dom.js: tiny DOM helpers shared by the screens (no framework): element building, lookup
// by id, and a confirmation step that works with the keyboard alone.

import { localize, t } from './i18n.js';

export const $ = (id) => document.getElementById(id);

// el('button', {type: 'button', class: 'x', 'data-item': 3}, [children]); attributes with
// the value false/null/undefined are left out; `text` sets textContent; `i18n` localizes.
export function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'i18n') {
      if (Array.isArray(v)) localize(e, v[0], v[1] ?? {});
      else localize(e, v);
    } else if (k === 'html') e.innerHTML = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// The browser's own confirm dialog is keyboard- and screen-reader-friendly everywhere.
export function confirmAction(key, params = {}) {
  return window.confirm(t(key, params));
}

// "10:30" style local time for microseconds since the epoch (or ''). 
export function timeOfUs(us, lang) {
  if (!Number.isFinite(us) || us <= 0) return '';
  return new Date(us / 1000).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function setBusy(button, busy) {
  button.disabled = busy;
  if (busy) button.setAttribute('aria-busy', 'true');
  else button.removeAttribute('aria-busy');
}
