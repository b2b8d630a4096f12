// archive.js: a meeting's recording, archive.html?m=MEETING. No sign-in: the recording is
// the public program (closed parts are slates), as the public gallery showed it.
//
// GET /api/public/meetings/ID (title, date, agenda) and GET /api/public/meetings/ID/archive
// (chapters and states with their time t in the recording); the video plays
// /api/public/meetings/ID/archive.m3u8 with hls.js (or the browser's own HLS). A chapter is a
// button: it seeks the video to its time and plays. The chapter being played is marked
// (aria-current) and named above the lists. The statements of the minutes said in public
// (the archive's `statements`) are listed the same way, each a button that jumps to it, and
// are the video's captions (archive.vtt as its <track>), which a checkbox shows or hides.

import { getLang, localize, onLangChange, startI18n } from './i18n.js';
import { $, el } from './dom.js';

const params = new URLSearchParams(location.search);
const meetingId = Number(params.get('m'));
const state = { meeting: null, archive: null, hls: null, ready: false };

function showError(key, p = {}) {
  const box = $('archive-error');
  box.hidden = false;
  localize(box, key, p);
}

// 0:05:07 or 1:02:03
function clock(t) {
  const s = Math.max(0, Math.floor(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function formatWhen(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(getLang() === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'full', timeStyle: 'short' });
}

function seek(t) {
  const v = $('archive-video');
  v.currentTime = t + 0.05;
  v.play().catch(() => {});
}

function chapterList(list, chapters) {
  list.replaceChildren(
    ...chapters.map((c) => {
      const b = el('button', { type: 'button', class: 'chapter', 'data-t': String(c.t) }, [
        el('span', { class: 'chapter-time' }, [clock(c.t)]),
        ' ',
        el('span', { class: 'chapter-label' }, [c.label]),
      ]);
      b.addEventListener('click', () => seek(c.t));
      return el('li', {}, [b]);
    }),
  );
}

function statementList(statements) {
  $('archive-captions-note').hidden = statements.length > 0;
  $('statements').replaceChildren(
    ...statements.map((st) => {
      const b = el('button', { type: 'button', class: 'chapter', 'data-t': String(st.t) }, [
        el('span', { class: 'chapter-time' }, [clock(st.t)]),
        ' ',
        el('span', { class: 'caption-who' }, [`${st.speaker}: `]),
        el('span', { class: 'chapter-label' }, [st.text]),
      ]);
      b.addEventListener('click', () => seek(st.t));
      return el('li', {}, [b]);
    }),
  );
}

function setupCaptions() {
  const box = $('archive-captions');
  const track = $('archive-track');
  track.src = `/api/public/meetings/${meetingId}/archive.vtt`;
  const update = () => {
    track.track.mode = box.checked ? 'showing' : 'hidden';
  };
  box.addEventListener('change', update);
  track.addEventListener('load', update);
  update();
}

function render() {
  const m = state.meeting;
  const a = state.archive;
  if (m) {
    $('archive-body').textContent = m.body || '';
    $('archive-title').removeAttribute('data-i18n');
    $('archive-title').textContent = [m.title, m.number].filter(Boolean).join(' ');
    document.title = `${m.title} — kaigi`;
    $('archive-when').textContent = formatWhen(m.scheduled_at);
  }
  if (!a) return;
  chapterList($('chapters'), a.chapters.filter((c) => c.kind === 'item'));
  chapterList($('speakers'), a.chapters.filter((c) => c.kind === 'speaker'));
  statementList(a.statements ?? []);
  markCurrent();
}

// The latest chapter of each kind at or before the playing time.
function markCurrent() {
  const a = state.archive;
  if (!a) return;
  const t = $('archive-video').currentTime;
  const now = [];
  const st = a.statements ?? [];
  [...$('statements').querySelectorAll('button')].forEach((b, i) =>
    b.setAttribute('aria-current', st[i] && st[i].t <= t + 0.1 && t < st[i].end ? 'true' : 'false'),
  );
  for (const [kind, list] of [['item', $('chapters')], ['speaker', $('speakers')]]) {
    const cs = a.chapters.filter((c) => c.kind === kind);
    let cur = -1;
    cs.forEach((c, i) => {
      if (c.t <= t + 0.1) cur = i;
    });
    [...list.querySelectorAll('button')].forEach((b, i) => b.setAttribute('aria-current', i === cur ? 'true' : 'false'));
    if (cur >= 0) now.push(cs[cur].label);
  }
  $('archive-now').textContent = now.join(' — ');
}

function play(url) {
  const v = $('archive-video');
  if (window.Hls && window.Hls.isSupported()) {
    state.hls = new window.Hls();
    state.hls.on(window.Hls.Events.MANIFEST_PARSED, () => (state.ready = true));
    state.hls.on(window.Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) showError('archive.playError');
    });
    state.hls.loadSource(url);
    state.hls.attachMedia(v);
  } else if (v.canPlayType('application/vnd.apple.mpegurl')) {
    v.src = url;
    state.ready = true;
  } else {
    showError('archive.noHls');
  }
  v.addEventListener('timeupdate', markCurrent);
}

async function load() {
  if (!Number.isInteger(meetingId) || meetingId <= 0) {
    showError('public.noMeeting');
    return;
  }
  const [mr, ar] = await Promise.all([
    fetch(`/api/public/meetings/${meetingId}`, { cache: 'no-store' }),
    fetch(`/api/public/meetings/${meetingId}/archive`, { cache: 'no-store' }),
  ]);
  if (mr.ok) state.meeting = await mr.json();
  if (!ar.ok) {
    showError(mr.status === 404 ? 'public.noMeeting' : 'archive.none');
    render();
    return;
  }
  state.archive = await ar.json();
  render();
  setupCaptions();
  play(state.archive.playlist);
}

window.kaigi = { state, seek };
startI18n($('lang'));
onLangChange(render);
load().catch(() => showError('public.offline'));
