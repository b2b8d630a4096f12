// app.js: the entry point. Sets the language, runs the join form, and hands over to the
// meeting screen (meeting.js); after leaving or an error it offers to join again.
// window.kaigi exposes the current visit to tests and to curious people with devtools.

import { applyI18n, getLang, languages, localize, setLang } from './i18n.js';
import { Meeting } from './meeting.js';

const $ = (id) => document.getElementById(id);

const els = {
  status: $('status'),
  error: $('error'),
  notice: $('notice'),
  meetingTitle: $('meeting-title'),
  joinScreen: $('join-screen'),
  joinForm: $('join-form'),
  name: $('name'),
  nameError: $('name-error'),
  join: $('join'),
  meetingScreen: $('meeting-screen'),
  tiles: $('tiles'),
  alone: $('alone'),
  people: $('participant-list'),
  peopleHeading: $('people-heading'),
  muteAudio: $('mute-audio'),
  muteVideo: $('mute-video'),
  leave: $('leave'),
  remoteAudio: $('remote-audio'),
  endScreen: $('end-screen'),
  endHeading: $('end-heading'),
  endText: $('end-text'),
  rejoin: $('rejoin'),
  lang: $('lang'),
};

let meeting = null;

window.kaigi = {
  get pc() {
    return meeting?.pc ?? null;
  },
  get id() {
    return meeting?.id ?? null;
  },
  get slots() {
    return meeting?.slots ?? [];
  },
  get participants() {
    return meeting?.participants ?? [];
  },
  get state() {
    return meeting?.state ?? 'idle';
  },
  get meeting() {
    return meeting?.meeting ?? null;
  },
  get events() {
    return meeting?.events ?? [];
  },
};

function show(screen) {
  for (const s of [els.joinScreen, els.meetingScreen, els.endScreen]) s.hidden = s !== screen;
}

// The server's rule (docs/protocol.md): 1–64 characters, no control characters.
function nameProblem(name) {
  const chars = [...name];
  if (chars.length === 0) return 'join.nameEmpty';
  if (chars.length > 64) return 'join.nameTooLong';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'join.nameControl';
  return null;
}

function onJoin(ev) {
  ev.preventDefault();
  if (meeting && (meeting.state === 'joining' || meeting.state === 'joined')) return;
  const name = els.name.value.trim();
  const problem = nameProblem(name);
  if (problem) {
    els.nameError.hidden = false;
    localize(els.nameError, problem);
    els.name.setAttribute('aria-invalid', 'true');
    els.name.focus();
    return;
  }
  els.nameError.hidden = true;
  els.name.removeAttribute('aria-invalid');
  try {
    localStorage.setItem('kaigi.name', name);
  } catch {
    // Not remembered; no harm.
  }
  els.join.disabled = true;
  show(els.meetingScreen);
  meeting = new Meeting({ name, els, onEnd });
  meeting.start().finally(() => {
    els.join.disabled = false;
  });
}

function onEnd(how) {
  if (how === 'bad-name') {
    show(els.joinScreen);
    els.name.setAttribute('aria-invalid', 'true');
    els.name.focus();
    return;
  }
  const left = how === 'left';
  localize(els.endHeading, left ? 'left.heading' : 'ended.heading');
  localize(els.endText, left ? 'left.text' : 'ended.text');
  show(els.endScreen);
  els.rejoin.focus();
}

function init() {
  document.documentElement.lang = getLang();
  for (const opt of els.lang.options) opt.disabled = !languages.includes(opt.value);
  els.lang.value = getLang();
  els.lang.addEventListener('change', () => setLang(els.lang.value));
  applyI18n();
  localize(els.status, 'status.idle');

  try {
    els.name.value = localStorage.getItem('kaigi.name') ?? '';
  } catch {
    // Nothing remembered.
  }
  els.joinForm.addEventListener('submit', onJoin);
  els.muteAudio.addEventListener('click', () => meeting?.toggleAudio());
  els.muteVideo.addEventListener('click', () => meeting?.toggleVideo());
  els.leave.addEventListener('click', () => meeting?.leave());
  els.rejoin.addEventListener('click', () => {
    els.error.hidden = true;
    els.notice.hidden = true;
    show(els.joinScreen);
    els.name.focus();
  });
  // Closing the tab leaves the meeting properly, so the others see it at once.
  window.addEventListener('pagehide', () => meeting?.leave());
  show(els.joinScreen);
  els.name.focus();
}

init();
