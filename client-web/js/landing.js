// landing.js: the start page (index.html): a link to the secretariat console and a field
// for a join link (join.html?m=MEETING#t=TOKEN), which the page opens. Joining needs the
// token inside such a link; there is no joining by name any more.

import { localize, startI18n } from './i18n.js';
import { $ } from './dom.js';

// The join URL in text, or null: http(s), a path ending in join.html, m and a token.
export function parseJoinLink(text, base = location.href) {
  let url;
  try {
    url = new URL(String(text).trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (!/\/join\.html$/.test(url.pathname)) return null;
  if (!url.searchParams.get('m')) return null;
  if (!new URLSearchParams(url.hash.slice(1)).get('t')) return null;
  return url;
}

function init() {
  startI18n($('lang'));

  const input = $('join-link');
  const error = $('join-link-error');
  $('link-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = parseJoinLink(input.value);
    if (!url) {
      error.hidden = false;
      localize(error, input.value.trim() ? 'landing.badLink' : 'landing.noLink');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    location.assign(url.href);
  });
  window.kaigi = { page: 'landing', parseJoinLink };
}

init();
