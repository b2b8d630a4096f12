// member.js: the screen of a member or presenter (委員, 講師・説明員) on join.html.
//
// The gallery and mic/camera controls are meeting.js's; the status bar is info.js's. This
// screen adds the raise-hand toggle (#raise-hand, aria-pressed): it sends `hand` {raised}
// and follows the server's word, which comes as `hand_raised` in `meeting` messages (members
// do not see the whole queue) or as `hand` in our own participant-updated. Being given the
// floor lowers the hand on the server; the button follows.

import { localize, t } from './i18n.js';
import { $ } from './dom.js';

export const VIEW = 'member';

// The hand toggle, shared with venue.js.
export function createHand(ctx) {
  const button = $('raise-hand');
  let raised = false;

  function render() {
    button.hidden = false;
    button.setAttribute('aria-pressed', String(raised));
    localize(button.querySelector('.label'), raised ? 'control.lowerHand' : 'control.raiseHand');
  }

  function set(next, announce = false) {
    if (next === raised) return;
    raised = next;
    render();
    if (announce) ctx.announce(t(raised ? 'announce.handRaised' : 'announce.handLowered'));
  }

  function onClick() {
    const next = !raised;
    if (ctx.send('hand', { raised: next })) set(next, true);
  }

  button.addEventListener('click', onClick);
  render();

  return {
    get raised() {
      return raised;
    },
    onMeeting(s) {
      if (typeof s?.hand_raised === 'boolean') set(s.hand_raised, true);
      else if (Array.isArray(s?.hands) && ctx.you) set(s.hands.includes(ctx.you.id), true);
    },
    onSelf(p) {
      if (typeof p.hand === 'boolean') set(p.hand, true);
    },
    unmount() {
      button.removeEventListener('click', onClick);
      button.hidden = true;
    },
  };
}

export function mount(ctx) {
  const hand = createHand(ctx);
  return {
    get handRaised() {
      return hand.raised;
    },
    onMeeting: (s) => hand.onMeeting(s),
    onSelf(p) {
      hand.onSelf(p);
      if (p.forced === false) ctx.mic?.cleared();
    },
    unmount: () => hand.unmount(),
  };
}
