// join.js: the entry point of join.html?m=MEETING#t=TOKEN.
//
// Reads the meeting and the token, peeks at the token's role to know whether to ask for
// camera and microphone, joins through Meeting (meeting.js), and after `welcome` hands the
// page to the screen for `you.role`: member.js (member, presenter), chair.js (chair,
// secretariat), venue.js (venue), viewer.js (viewer). The `meeting` snapshot, the agenda and
// `you` live in the context object (ctx) that every screen reads; window.kaigi shows the
// same to browser tests.

import { localize, onLangChange, startI18n } from './i18n.js';
import { Meeting } from './meeting.js';
import { peekToken, tokenWantsMedia, TOKEN_ERRORS } from './protocol.js';
import { $ } from './dom.js';
import { renderInfo } from './info.js';
import { createMic } from './mic.js';
import { createCaptions } from './captions.js';
import * as member from './member.js';
import * as chair from './chair.js';
import * as venue from './venue.js';
import * as viewer from './viewer.js';

const SCREENS = {
  member,
  presenter: member,
  chair,
  secretariat: chair,
  venue,
  viewer,
};

const els = {
  status: $('status'),
  error: $('error'),
  notice: $('notice'),
  announce: $('announce'),
  meetingTitle: $('meeting-title'),
  you: $('you'),
  meetingScreen: $('meeting-screen'),
  tiles: $('tiles'),
  alone: $('alone'),
  people: $('participant-list'),
  peopleHeading: $('people-heading'),
  muteAudio: $('mute-audio'),
  muteVideo: $('mute-video'),
  shareScreen: $('share-screen'),
  raiseHand: $('raise-hand'),
  micHint: $('mic-hint'),
  leave: $('leave'),
  remoteAudio: $('remote-audio'),
  endScreen: $('end-screen'),
  endHeading: $('end-heading'),
  endText: $('end-text'),
  rejoin: $('rejoin'),
  lang: $('lang'),
};

// The roles that may share their screen (server/roles.c, action "screen").
const SCREEN_SHARERS = new Set(['chair', 'secretariat', 'presenter']);

// Everything the screens share; `screen` is the mounted screen's object.
const ctx = {
  meetingId: null,
  token: null,
  media: true,
  you: null,
  agenda: [],
  state: null, // the last `meeting` message (the welcome snapshot until the first one)
  roster: null, // welcome.roster if the server sends one (see chair.js)
  welcome: null,
  meeting: null, // the Meeting (meeting.js)
  screen: null,
  clientErrors: [],
  els,
  send: (type, members = {}) => ctx.meeting?.send(type, members) ?? false,
  announce,
};

let lastAnnouncement = '';
// Says text through the page's polite live region (state and floor changes).
function announce(text) {
  if (!text || text === lastAnnouncement) return;
  lastAnnouncement = text;
  els.announce.textContent = text;
}

window.kaigi = {
  get pc() {
    return ctx.meeting?.pc ?? null;
  },
  get id() {
    return ctx.meeting?.id ?? null;
  },
  get slots() {
    return ctx.meeting?.slots ?? [];
  },
  get participants() {
    return ctx.meeting?.participants ?? [];
  },
  get speaking() {
    return ctx.meeting?.speaking ?? [];
  },
  get materials() {
    return ctx.meeting?.materials ?? null;
  },
  get sharingScreen() {
    return ctx.meeting?.sharingScreen ?? false;
  },
  get state() {
    return ctx.meeting?.state ?? 'idle';
  },
  get meeting() {
    return ctx.meeting?.meeting ?? null;
  },
  get events() {
    return ctx.meeting?.events ?? [];
  },
  get you() {
    return ctx.you ? { ...ctx.you } : null;
  },
  get role() {
    return ctx.you?.role ?? null;
  },
  get view() {
    return document.body.dataset.view;
  },
  get meetingState() {
    return ctx.state ? structuredClone(ctx.state) : null;
  },
  get agenda() {
    return structuredClone(ctx.agenda);
  },
  get errors() {
    const all = [...ctx.clientErrors, ...(ctx.meeting?.errors ?? [])];
    return all.sort((a, b) => a.at - b.at);
  },
  get forced() {
    return ctx.meeting?.forced ?? false;
  },
  get handRaised() {
    return ctx.screen?.handRaised ?? false;
  },
};

function clientError(key, code) {
  ctx.clientErrors.push({ at: Date.now(), code, message: key });
  els.error.hidden = false;
  localize(els.error, key);
}

function readLink() {
  const q = new URLSearchParams(location.search);
  const h = new URLSearchParams(location.hash.slice(1));
  const m = q.get('m') ?? '';
  const token = h.get('t') ?? q.get('t') ?? '';
  return { meetingId: /^\d+$/.test(m) ? Number(m) : m, token, mediaParam: q.get('media') };
}

function showEnd(how) {
  els.meetingScreen.hidden = true;
  els.endScreen.hidden = false;
  const codes = new Set((ctx.meeting?.errors ?? []).map((e) => e.code));
  const tokenProblem = TOKEN_ERRORS.some((c) => codes.has(c));
  const left = how === 'left';
  localize(els.endHeading, left ? 'left.heading' : tokenProblem ? 'ended.tokenHeading' : 'ended.heading');
  localize(els.endText, left ? 'left.text' : tokenProblem ? 'ended.tokenText' : 'ended.text');
  // A refused token will not work a second time; the link is what has to change.
  els.rejoin.hidden = tokenProblem;
  // A person on the roster reviews the minutes later with the same link (review.html).
  const review = $('review-link');
  const badLink = ['token-invalid', 'token-expired', 'token-wrong-meeting', 'no-such-meeting'].some((c) => codes.has(c));
  review.hidden = badLink || !String(peekToken(ctx.token)?.p ?? '').startsWith('r');
  review.href = `review.html?m=${ctx.meetingId}#t=${encodeURIComponent(ctx.token ?? '')}`;
  els.endHeading.focus();
}

function onWelcome(m) {
  ctx.welcome = m;
  ctx.you = m.you ?? { id: m.id, name: '', title: '', role: 'member', ref: null };
  ctx.agenda = Array.isArray(m.agenda) ? m.agenda : [];
  ctx.state = m.meeting && typeof m.meeting === 'object' ? { ...m.meeting } : null;
  ctx.roster = Array.isArray(m.roster) ? m.roster : null;
  const screen = SCREENS[ctx.you.role] ?? member;
  document.body.dataset.view = screen.VIEW;
  els.you.hidden = false;
  localize(els.you, ctx.you.title ? 'meeting.joinedAsTitle' : 'meeting.joinedAs', {
    name: ctx.you.name,
    title: ctx.you.title ?? '',
  });
  // Presenters, the secretariat and the chair may share their screen (the materials slot).
  els.shareScreen.hidden =
    !ctx.media || !navigator.mediaDevices?.getDisplayMedia || !SCREEN_SHARERS.has(ctx.you.role);
  ctx.screen = screen.mount(ctx);
  render();
}

// `meeting` carries the whole snapshot in m.meeting (docs/meetings-api.md); it replaces the
// previous one (members absent for this role, like hands, are absent, not stale).
// The recorder could not write a track (disk full...): the chair and the secretariat are told,
// the meeting goes on (docs/recording.md).
// 'resumed': it had a gap and goes on in a new session.
function onRecordingMessage(m) {
  if (m.state !== 'failed' && m.state !== 'resumed') return;
  els.notice.hidden = false;
  // GStreamer's messages end with a full stop; the sentence around them has its own.
  const reason = String(m.reason ?? '').replace(/[.。]\s*$/, '');
  localize(els.notice, `recording.${m.state}`, { who: m.who ?? '', kind: m.kind ?? '', reason });
  announce(els.notice.textContent);
  ctx.recordingProblems = [...(ctx.recordingProblems ?? []), m];
}

function onMeetingMessage(m) {
  const prev = ctx.state;
  const snap = m.meeting && typeof m.meeting === 'object' ? m.meeting : {};
  ctx.state = { ...snap };
  render(prev);
}

function render(prev = null) {
  renderInfo(ctx, prev);
  ctx.screen?.onMeeting?.(ctx.state, prev);
}

function start() {
  const { meetingId, token, mediaParam } = readLink();
  if (!token || meetingId === '') {
    clientError('join.noToken', 'no-token');
    els.meetingScreen.hidden = true;
    return;
  }
  ctx.meetingId = meetingId;
  ctx.token = token;
  if (!ctx.captions) {
    ctx.captions = createCaptions($('captions'));
    window.kaigi = Object.assign(window.kaigi ?? {}, { captions: ctx.captions.shown });
  }
  const payload = peekToken(token);
  ctx.media = mediaParam === '0' ? false : mediaParam === '1' ? true : tokenWantsMedia(payload);
  document.body.dataset.media = String(ctx.media);
  const mic = createMic(ctx);
  ctx.mic = mic;
  ctx.meeting = new Meeting({
    join: { meeting: meetingId, token, media: ctx.media },
    media: ctx.media,
    els,
    onEnd: showEnd,
    onWelcome,
    onChange: () => ctx.screen?.onParticipants?.(),
    onSelf: (p) => ctx.screen?.onSelf?.(p),
    onForcedToggle: () => mic.explainForced(),
    handlers: {
      meeting: onMeetingMessage,
      muted: (m) => mic.onMuted(m),
      'unmute-requested': (m) => mic.onUnmuteRequested(m),
      recording: onRecordingMessage,
      caption: (m) => ctx.captions.add(m),
    },
  });
  els.endScreen.hidden = true;
  els.meetingScreen.hidden = false;
  ctx.meeting.start();
}

function init() {
  startI18n(els.lang);
  onLangChange(() => render());
  localize(els.status, 'status.idle');
  els.muteAudio.addEventListener('click', () => ctx.meeting?.toggleAudio());
  els.muteVideo.addEventListener('click', () => ctx.meeting?.toggleVideo());
  els.shareScreen.addEventListener('click', () => ctx.meeting?.toggleScreen());
  els.leave.addEventListener('click', () => ctx.meeting?.leave());
  els.rejoin.addEventListener('click', () => {
    els.error.hidden = true;
    els.notice.hidden = true;
    ctx.screen?.unmount?.();
    ctx.screen = null;
    document.body.dataset.view = 'loading';
    start();
  });
  // Closing the tab leaves the meeting properly, so the others see it at once.
  window.addEventListener('pagehide', () => ctx.meeting?.leave());
  start();
}

init();
