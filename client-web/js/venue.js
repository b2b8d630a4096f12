// venue.js: the screen of a venue endpoint (a room display and its microphones) on
// join.html: the gallery full-screen with large tiles and strong contrast (css, body
// [data-view=venue]), the current speaker's name big (#speaker-name: the floor's name, or
// "this room" when the floor is the venue's own), state and agenda item, and a raise-hand
// button for the room. The people list is hidden: nobody in the room reads it.

import { localize, t } from './i18n.js';
import { $ } from './dom.js';
import { createHand } from './member.js';
import { floorLabel } from './info.js';

export const VIEW = 'venue';

export function mount(ctx) {
  const hand = createHand(ctx);
  const speaker = $('speaker');
  const name = $('speaker-name');
  speaker.hidden = false;

  function renderSpeaker(s) {
    const floor = s?.floor ?? null;
    const ours = !!floor && floor.participant === ctx.you?.id;
    if (!floor) {
      localize(name, 'venue.nobody');
    } else if (ours && !floor.roster) {
      localize(name, 'venue.thisRoom', { venue: ctx.you?.name ?? '' });
    } else {
      delete name.dataset.i18n;
      name.textContent = ours ? t('venue.inThisRoom', { who: floorLabel(floor) }) : floorLabel(floor);
    }
    speaker.classList.toggle('ours', ours);
  }

  return {
    get handRaised() {
      return hand.raised;
    },
    onMeeting(s) {
      hand.onMeeting(s);
      renderSpeaker(s);
    },
    onSelf(p) {
      hand.onSelf(p);
      if (p.forced === false) ctx.mic?.cleared();
    },
    unmount() {
      hand.unmount();
      speaker.hidden = true;
    },
  };
}
