// viewer.js: the screen of a viewer (傍聴) on join.html: the state banner and the agenda
// item only (info.js). Viewers join without media; the public stream will come on a page of
// its own, which the note (#viewer-note) says.

import { $ } from './dom.js';

export const VIEW = 'viewer';

export function mount() {
  $('viewer-note').hidden = false;
  return {
    unmount() {
      $('viewer-note').hidden = true;
    },
  };
}
