// minutes-view.js: what the minutes editor (minutes.js) and the members' review page
// (review.js) share: the minutes routes of docs/meetings-api.md ("Minutes") and the layout of
// a draft — statements grouped under their agenda item's heading, with the item's decisions.
//
// Calls go through minutesRequest(): the secretariat's page relies on its session cookie, a
// member's page sends its join token as a Bearer header (never in the address, except for
// <audio> sources, which cannot send headers: ?t=, which the server does not log).

import { getLang, t } from './i18n.js';
import { ApiError } from './api.js';
import { el } from './dom.js';

export async function minutesRequest(method, path, { json, token } = {}) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'network', err?.message ?? String(err));
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code || `http-${res.status}`, e.message || res.statusText);
  }
  return data;
}

// The error's own string if the table has one (minutes.error.CODE), else the server's text.
export function minutesErrorText(err) {
  const key = `minutes.error.${err?.code}`;
  const own = t(key);
  return own !== key ? own : t('minutes.failed', { message: err?.message ?? String(err) });
}

// "10:31:05" of a statement (µs since the epoch).
export function clockOf(us) {
  if (!Number.isFinite(us) || us <= 0) return '';
  return new Date(us / 1000).toLocaleTimeString(getLang() === 'ja' ? 'ja-JP' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

// [{item (agenda entry or null), utterances, decisions}] in agenda order; statements of no
// item (before the first) come first.
export function groupByItem(doc) {
  const groups = [{ item: null, utterances: [], decisions: [] }];
  const byId = new Map([[null, groups[0]]]);
  for (const item of doc.agenda ?? []) {
    const g = { item, utterances: [], decisions: [] };
    groups.push(g);
    byId.set(item.id, g);
  }
  for (const u of doc.utterances ?? []) (byId.get(u.item) ?? groups[0]).utterances.push(u);
  for (const d of doc.decisions ?? []) (byId.get(d.item) ?? groups[0]).decisions.push(d);
  return groups.filter((g) => g.item || g.utterances.length || g.decisions.length);
}

// The heading of a group: "議案第1号 町道の認定について", or "Before the agenda".
export function groupHeading(group, level = 'h2') {
  const id = `item-${group.item?.id ?? 'none'}`;
  return group.item
    ? el(level, { id, text: [group.item.number, group.item.title].filter(Boolean).join(' ') })
    : el(level, { id, i18n: 'minutes.noItem' });
}

function decisionText(d) {
  if (d.kind === 'approved') return t('minutes.decisionApproved', { text: d.text || t('minutes.approved') });
  return t('minutes.decisionVote', {
    text: d.text || '',
    for: d.for?.length ?? 0,
    against: d.against?.length ?? 0,
    abstain: d.abstain?.length ?? 0,
  });
}

export function decisionList(group) {
  if (!group.decisions.length) return null;
  return el(
    'ul',
    { class: 'decisions', 'aria-label': t('minutes.decisions') },
    group.decisions.map((d) => el('li', { 'data-decision': d.id, text: decisionText(d) })),
  );
}

// Small marks after a statement's speaker: closed session, retracted, its state.
export function statementMarks(u) {
  return [
    el('span', { class: 'state-chip', 'data-utterance-state': u.state, i18n: `minutes.state.${u.state}` }),
    u.public ? null : el('span', { class: 'mark closed', i18n: 'minutes.closedSession' }),
    u.retracted ? el('span', { class: 'mark retracted', i18n: 'minutes.retracted' }) : null,
  ];
}

// The statement's clip as a native <audio> player (keyboard-operable), or null.
export function clipPlayer(meetingId, u, token = null) {
  if (!u.clip) return null;
  const src = `/api/meetings/${meetingId}/minutes/clips/${u.id}${token ? `?t=${encodeURIComponent(token)}` : ''}`;
  return el('audio', {
    controls: true,
    preload: 'metadata',
    src,
    class: 'clip',
    'data-clip': u.id,
    'aria-label': t('minutes.clipOf', { name: u.speaker_name || t('minutes.unknownSpeaker'), time: clockOf(u.start_us) }),
  });
}
