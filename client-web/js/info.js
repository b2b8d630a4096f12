// info.js: the meeting status bar every screen shows (join.html #info): the state banner
// (開会前/公開中/非公開/休憩中/閉会), the current agenda item and its materials, who has
// the floor, and "you have the floor" (#floor-you). Changes of state and floor are also
// said through the page's live region (ctx.announce). Runs on every `meeting` message.

import { localize, t } from './i18n.js';
import { api } from './api.js';
import { $, el } from './dom.js';

export function agendaLabel(item) {
  if (!item) return '';
  return [item.number, item.title].filter(Boolean).join(' ');
}

export function currentItem(ctx) {
  const id = ctx.state?.item ?? null;
  return id == null ? null : ctx.agenda.find((a) => a.id === id) ?? null;
}

// "金子 会長" or "金子 会長（市民会館 3階 第3会議室）" for a floor object.
export function floorLabel(floor) {
  if (!floor) return '';
  const who = [floor.name, floor.title].filter(Boolean).join(' ');
  const venue = typeof floor.venue === 'string' ? floor.venue : floor.venue?.name;
  return venue && venue !== floor.name ? t('info.floorAtVenue', { who, venue }) : who;
}

function setValue(node, text, emptyKey) {
  if (text) {
    delete node.dataset.i18n;
    if (node.textContent !== text) node.textContent = text;
  } else {
    localize(node, emptyKey);
  }
}

function sameFloor(a, b) {
  return (a?.participant ?? null) === (b?.participant ?? null) && (a?.roster ?? null) === (b?.roster ?? null);
}

export function renderInfo(ctx, prev) {
  const s = ctx.state ?? {};
  const state = s.state ?? 'scheduled';
  const banner = $('state-banner');
  banner.dataset.meetingState = state;
  document.body.dataset.meetingState = state;
  localize($('state-text'), `state.${state}`);

  const item = currentItem(ctx);
  setValue($('agenda-text'), agendaLabel(item), 'info.noItem');
  renderMaterials(ctx, item);

  const floor = s.floor ?? null;
  setValue($('floor-text'), floorLabel(floor), 'info.noFloor');
  const mine = !!floor && !!ctx.you && floor.participant === ctx.you.id;
  $('floor-you').hidden = !mine;
  // The floor lets a person the chair muted speak again (meetings-api.md, mute-other).
  if (mine && ctx.meeting?.forced) {
    ctx.meeting.setForced(false);
    ctx.mic?.cleared();
  }

  if (prev && prev.state !== s.state) ctx.announce(t('announce.state', { state: t(`state.${state}`) }));
  if (prev && (prev.item ?? null) !== (s.item ?? null) && item)
    ctx.announce(t('announce.item', { item: agendaLabel(item) }));
  if (prev && !sameFloor(prev.floor, floor)) {
    if (mine) ctx.announce(t('info.floorYou'));
    else if (floor) ctx.announce(t('announce.floor', { who: floorLabel(floor) }));
    else ctx.announce(t('announce.floorEnded'));
  }
}

function renderMaterials(ctx, item) {
  const box = $('materials');
  const mats = item?.materials ?? [];
  box.hidden = mats.length === 0;
  $('materials-list').replaceChildren(
    ...mats.map((m) =>
      el('li', {}, [
        el('a', { href: api.materialUrl(m.id, ctx.token), target: '_blank', rel: 'noopener', text: m.name }),
      ]),
    ),
  );
}
