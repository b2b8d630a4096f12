// mic.js: what the chair does to someone's microphone, seen from that person's page.
//
// `muted` {by}: the server has already stopped our audio; the mic goes off here too
// (Meeting.forceMute) and the page says who muted us and that only the chair can let us
// speak again. `unmute-requested` {by}: a dialog (#unmute-dialog) asks; accepting
// (#unmute-accept) switches the mic on and sends `mute` {audio: true}, declining
// (#unmute-decline) changes nothing. Being given the floor also lets us unmute (the server
// clears `forced`; see Meeting.setForced).

import { localize, t } from './i18n.js';
import { $ } from './dom.js';

export function createMic(ctx) {
  const dialog = $('unmute-dialog');
  const hint = $('mic-hint');
  let opener = null;

  function showHint(key, params = {}) {
    hint.hidden = false;
    localize(hint, key, params);
  }

  function close() {
    if (dialog.open) dialog.close();
    (opener && document.contains(opener) ? opener : $('mute-audio'))?.focus();
  }

  $('unmute-accept').addEventListener('click', () => {
    ctx.meeting?.acceptUnmute();
    hint.hidden = true;
    close();
  });
  $('unmute-decline').addEventListener('click', close);
  dialog.addEventListener('cancel', () => {
    opener = null;
  });

  return {
    onMuted(m) {
      ctx.meeting?.forceMute();
      const by = typeof m.by === 'string' && m.by ? m.by : t('mic.theChair');
      showHint('mic.mutedBy', { by });
      ctx.announce(t('mic.mutedBy', { by }));
    },
    onUnmuteRequested(m) {
      if (!ctx.meeting?.hasAudio) return; // nothing to switch on
      const by = typeof m.by === 'string' && m.by ? m.by : t('mic.theChair');
      localize($('unmute-text'), 'unmute.text', { by });
      opener = document.activeElement;
      if (!dialog.open) dialog.showModal();
      $('unmute-accept').focus();
    },
    // The mic button was pressed while the chair keeps us muted.
    explainForced() {
      showHint('mic.forcedHint');
    },
    // The server cleared `forced` (the floor, or the chair's request was accepted).
    cleared() {
      hint.hidden = true;
    },
  };
}
