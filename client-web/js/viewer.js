// viewer.js: the screen of a viewer (傍聴) on join.html: the state banner and the agenda
// item only (info.js). Viewers join without media; the broadcast is on the public gallery
// page (public.html), which the note (#viewer-note) links to.

import { $ } from './dom.js';

export const VIEW = 'viewer';

export function mount() {
  const m = new URLSearchParams(location.search).get('m');
  if (m && /^\d+$/.test(m)) $('viewer-public-link').href = `public.html?m=${m}`;
  $('viewer-note').hidden = false;
  return {
    unmount() {
      $('viewer-note').hidden = true;
    },
  };
}
