// review.js: a member's review of the minutes draft (review.html?m=MEETING#t=TOKEN), with the
// join token the secretariat sent them (the same token as join.html; kept in the fragment so
// that it stays out of server logs).
//
// GET /api/meetings/ID/review shows the draft while it is in review: statements under their
// agenda headings, the member's own highlighted with their clip and a Confirm button
// (POST …/review/utterances/UID/confirm); everyone else's read only. When the draft is not in
// review (not yet sent, or already published) or the link is bad, the page says so.
// window.kaigi shows the state to browser tests.

import { localize, onLangChange, startI18n, t } from './i18n.js';
import { $, el, setBusy } from './dom.js';
import {
  clipPlayer,
  clockOf,
  decisionList,
  groupByItem,
  groupHeading,
  minutesErrorText,
  minutesRequest,
  statementMarks,
} from './minutes-view.js';

const meetingId = Number(new URLSearchParams(location.search).get('m')) || null;
const token = new URLSearchParams(location.hash.slice(1)).get('t');
const els = {
  error: $('error'),
  notice: $('notice'),
  you: $('you'),
  heading: $('review-heading'),
  statusCard: $('status-card'),
  statusText: $('status-text'),
  publicRow: $('public-row'),
  publicLink: $('public-minutes'),
  intro: $('intro'),
  progress: $('progress'),
  statements: $('statements'),
};
const state = { doc: null, status: 'loading', errors: [] };

window.kaigi = {
  page: 'review',
  get status() {
    return state.status;
  },
  get doc() {
    return state.doc ? structuredClone(state.doc) : null;
  },
  get errors() {
    return state.errors.slice();
  },
};

function showStatus(key, status) {
  state.status = status;
  els.intro.hidden = true;
  els.statements.replaceChildren();
  els.statusCard.hidden = false;
  localize(els.statusText, key);
  els.publicRow.hidden = status !== 'published';
  els.publicLink.href = `/api/public/meetings/${meetingId}/minutes?format=text`;
}

async function load() {
  try {
    state.doc = await minutesRequest('GET', `/api/meetings/${meetingId}/review`, { token });
    state.status = 'review';
    render();
  } catch (err) {
    state.errors.push({ at: Date.now(), code: err.code, message: err.message });
    if (err.code === 'not-in-review') showStatus('review.notInReview', 'not-in-review');
    else if (err.code === 'published') showStatus('review.published', 'published');
    else if (err.status === 401 || err.status === 403) showStatus('review.badLink', 'bad-link');
    else showStatus('review.failed', 'error');
  }
}

function render() {
  const doc = state.doc;
  const me = doc.roster.find((p) => p.id === doc.you);
  els.statusCard.hidden = true;
  els.intro.hidden = false;
  delete els.heading.dataset.i18n;
  els.heading.textContent = [doc.meeting.number, doc.meeting.title].filter(Boolean).join(' ');
  document.title = `${els.heading.textContent} – kaigi`;
  els.you.hidden = !me;
  if (me) localize(els.you, 'review.you', { name: me.name });
  const mine = doc.utterances.filter((u) => u.speaker === doc.you);
  localize(els.progress, 'review.progress', {
    confirmed: mine.filter((u) => u.state === 'confirmed').length,
    total: mine.length,
  });
  els.statements.replaceChildren(
    ...groupByItem(doc).map((g) =>
      el('section', { class: 'minutes-item', 'aria-labelledby': `item-${g.item?.id ?? 'none'}` }, [
        groupHeading(g),
        decisionList(g),
        ...g.utterances.map((u) => statement(doc, u)),
      ]),
    ),
  );
}

function statement(doc, u) {
  const own = u.speaker === doc.you;
  const confirmed = u.state === 'confirmed';
  let action = null;
  if (own && !confirmed) {
    action = el('button', { type: 'button', class: 'primary', 'data-action': 'confirm', i18n: 'review.confirm' });
    action.addEventListener('click', () => confirm(u, action));
  } else if (own) {
    action = el('p', { class: 'ok', i18n: 'review.confirmed' });
  }
  return el(
    'article',
    {
      class: `statement${own ? ' own' : ''}${u.retracted ? ' retracted' : ''}${u.public ? '' : ' closed'}`,
      'data-utterance': u.id,
      'data-state': u.state,
      'data-own': String(own),
      'aria-label': t(own ? 'review.yourStatement' : 'minutes.statementOf', { name: u.speaker_name, time: clockOf(u.start_us) }),
    },
    [
      el('div', { class: 'statement-head' }, [
        el('time', { text: clockOf(u.start_us) }),
        el('strong', { class: 'statement-speaker', text: u.speaker_name || t('minutes.unknownSpeaker') }),
        own ? el('span', { class: 'mark own', i18n: 'review.yours' }) : null,
        ...statementMarks(u),
      ]),
      own ? clipPlayer(meetingId, u, token) : null,
      el('p', { class: 'statement-text', text: u.text }),
      action,
    ],
  );
}

async function confirm(u, button) {
  setBusy(button, true);
  try {
    await minutesRequest('POST', `/api/meetings/${meetingId}/review/utterances/${u.id}/confirm`, { token });
    localize(els.notice, 'review.thanks');
    els.notice.hidden = false;
    els.error.hidden = true;
    await load();
    els.statements.querySelector('[data-action="confirm"]')?.focus();
  } catch (err) {
    state.errors.push({ at: Date.now(), code: err.code, message: err.message });
    els.error.hidden = false;
    els.error.textContent = minutesErrorText(err);
    setBusy(button, false);
  }
}

function init() {
  startI18n($('lang'));
  onLangChange(() => state.status === 'review' && render());
  if (!meetingId || !token) {
    showStatus('review.badLink', 'bad-link');
    return;
  }
  load();
}

init();
