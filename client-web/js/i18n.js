// i18n.js: the helpers that put every string a page shows on it, in Japanese or English
// (the strings are in strings-en.js and strings-ja.js).
//
// The language comes from localStorage ('kaigi.lang') if the person chose one, else from
// navigator.languages (the first ja* -> ja, otherwise en). Elements name their string
// with data-i18n (text), data-i18n-aria-label, data-i18n-title or data-i18n-placeholder,
// plus optional data-i18n-params (JSON); setLang() re-renders all of them, so text that
// the scripts set through localize() follows a language switch too.

import en from './strings-en.js';
import ja from './strings-ja.js';

const table = { en, ja };

export const languages = Object.freeze(Object.keys(table));
const storageKey = 'kaigi.lang';
const listeners = new Set();

function initialLang() {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && saved in table) return saved;
  } catch {
    // localStorage can be unavailable (privacy settings); fall back to the browser.
  }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const l of prefs) {
    const tag = String(l).toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
  }
  return 'en';
}

let lang = initialLang();

export function getLang() {
  return lang;
}

// The string for key in the current language; {name} placeholders come from params.
// A missing key falls back to English, then to the key itself, so a gap shows, not crashes.
export function t(key, params = {}) {
  const text = table[lang][key] ?? table.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, p) => (p in params ? String(params[p]) : m));
}

export function hasKey(key) {
  return key in table.en;
}

// Sets el's text to t(key, params) and remembers both, so a language switch re-renders it.
export function localize(el, key, params = {}, attr = null) {
  const data = attr ? `i18n${attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase())}` : 'i18n';
  el.dataset[data] = key;
  if (Object.keys(params).length) el.dataset[`${data}Params`] = JSON.stringify(params);
  else delete el.dataset[`${data}Params`];
  renderOne(el, data, attr);
}

function renderOne(el, data, attr) {
  const key = el.dataset[data];
  let params = {};
  try {
    params = JSON.parse(el.dataset[`${data}Params`] || '{}');
  } catch {
    params = {};
  }
  if (attr) el.setAttribute(attr, t(key, params));
  else el.textContent = t(key, params);
}

const attributes = [
  ['i18n', null],
  ['i18nAriaLabel', 'aria-label'],
  ['i18nTitle', 'title'],
  ['i18nPlaceholder', 'placeholder'],
];

// Renders every element under root that names a string.
export function applyI18n(root = document) {
  for (const [data, attr] of attributes) {
    const sel = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(sel)) renderOne(el, data, attr);
  }
}

export function setLang(next) {
  if (!(next in table)) return;
  lang = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
  document.documentElement.lang = next;
  applyI18n();
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Sets up a page: <html lang>, the language <select> (languages without strings disabled,
// switching on change), and every data-i18n string on the page.
export function startI18n(select) {
  document.documentElement.lang = getLang();
  for (const opt of select.options) opt.disabled = !languages.includes(opt.value);
  select.value = getLang();
  select.addEventListener('change', () => setLang(select.value));
  applyI18n();
}
