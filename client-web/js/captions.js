// captions.js: live captions (字幕) as a few lines under the picture: the latest statements
// with their speaker, the newest last. Participants get them from the `caption` message of
// the signalling; the public page from /api/public/meetings/ID/captions (public.js).
// window.kaigi.captions (for browser tests and the caption-latency bench) keeps every one
// shown, with the time it was shown.

import { el } from './dom.js';

const LINES = 3;

export function createCaptions(box) {
  const shown = [];
  const seen = new Set();
  const list = el('ol', { class: 'caption-lines' });
  box.append(list);
  return {
    shown,
    // c: {id or seq, speaker, title, text, start, end (ms)}
    add(c) {
      const key = c.id ?? c.seq;
      if (key !== undefined && seen.has(key)) return;
      if (key !== undefined) seen.add(key);
      const who = `${c.speaker ?? ''}${c.title ?? ''}`;
      shown.push({ ...c, who, shownAt: Date.now() });
      list.append(el('li', {}, [el('span', { class: 'caption-who', text: who ? `${who}: ` : '' }), c.text ?? '']));
      while (list.children.length > LINES) list.firstElementChild.remove();
      box.hidden = false;
    },
    clear() {
      list.replaceChildren();
    },
  };
}
