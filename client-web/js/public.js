// public.js: the public gallery (傍聴) page, public.html?m=MEETING. No sign-in.
//
// It shows what the town may tell anyone of the meeting (GET /api/public/meetings/ID, asked
// again every few seconds: title, state, current agenda item) and plays the meeting's public
// program: over WebRTC (WHEP, about half a second behind the room) when it can, else the HLS
// files under /hls/ID/ with hls.js (served from vendor/) or the browser's own HLS.
// What the program carries is decided by the server: during a closed session, a recess or
// before the meeting opens it is a slate and silence, and this page says why.

import { getLang, localize, onLangChange, startI18n } from './i18n.js';
import { $, el } from './dom.js';
import { createCaptions } from './captions.js';

const POLL_MS = 4000;
const RETRY_MS = 4000;
const HEARTBEAT_MS = 15000;
const CAPTIONS_MS = 1000;

const params = new URLSearchParams(location.search);
const meetingId = Number(params.get('m'));
const viewerId = Math.random().toString(36).slice(2) + Date.now().toString(36);
const state = { meeting: null, errors: 0, hls: null, retry: null, pc: null, whepUrl: null, path: null };

function showError(key, p = {}) {
  const box = $('public-error');
  box.hidden = false;
  localize(box, key, p);
}

function formatWhen(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(getLang() === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
  });
}

function render() {
  const m = state.meeting;
  if (!m) return;
  $('public-body').textContent = m.body || '';
  $('public-title').removeAttribute('data-i18n');
  $('public-title').textContent = [m.title, m.number].filter(Boolean).join(' ');
  document.title = `${m.title} — kaigi`;
  $('public-when').textContent = formatWhen(m.scheduled_at);
  const chip = $('public-state');
  chip.dataset.state = m.state;
  localize(chip, `public.state.${m.state}`);
  const why = $('public-why');
  why.hidden = m.state === 'public';
  if (!why.hidden) localize(why, `public.why.${m.state}`);
  // Once the meeting is over, its recording (archive.html) is the way to watch it.
  $('public-archive').hidden = m.state !== 'adjourned';
  $('public-archive-link').href = `archive.html?m=${meetingId}`;
  const item = (m.agenda || []).find((a) => a.id === m.item);
  const current = $('public-item');
  if (item && m.state !== 'scheduled' && m.state !== 'adjourned')
    localize(current, 'public.current', { item: [item.number, item.title].filter(Boolean).join(' ') });
  else current.textContent = '';
  const list = $('public-agenda');
  list.replaceChildren(
    ...(m.agenda || []).map((a) =>
      el('li', { 'aria-current': a.id === m.item ? 'true' : null }, [
        [a.number, a.title].filter(Boolean).join(' '),
      ]),
    ),
  );
}

async function poll() {
  try {
    const res = await fetch(`/api/public/meetings/${meetingId}`, { cache: 'no-store' });
    if (res.status === 404) {
      showError('public.noMeeting');
      return;
    }
    if (!res.ok) throw new Error(String(res.status));
    state.meeting = await res.json();
    $('public-error').hidden = true;
    state.errors = 0;
    render();
  } catch {
    if (++state.errors >= 2) showError('public.offline');
  }
  setTimeout(poll, POLL_MS);
}

function heartbeat() {
  fetch(`/api/public/meetings/${meetingId}/view`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ viewer: viewerId }),
    keepalive: true,
  }).catch(() => {});
}

function note(key) {
  const n = $('program-note');
  if (key) localize(n, key);
  else n.textContent = '';
}

// Low latency first: WHEP (WebRTC, RFC 9725) from /api/public/meetings/ID/whep. The offer is
// sent once ICE gathering is complete, and the server's answer holds all its candidates, so no
// trickle is needed. Any failure (no WebRTC, the server refuses or is full, no connection in
// 8 s, the connection drops later) falls back to HLS. ?via=hls skips WHEP.
async function startWhep() {
  const video = $('program');
  const pc = new RTCPeerConnection();
  state.pc = pc;
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (ev) => {
    stream.addTrack(ev.track);
    video.srcObject = stream;
    video.play().catch(() => {});
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 3000);
  });
  const res = await fetch(`/api/public/meetings/${meetingId}/whep`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  if (res.status !== 201) throw new Error(`WHEP ${res.status}`);
  state.whepUrl = res.headers.get('location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  await new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') reject(new Error('WHEP failed'));
    };
    pc.addEventListener('connectionstatechange', check);
    setTimeout(() => reject(new Error('WHEP timeout')), 8000);
    check();
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed') fallBackToHls();
  });
}

function stopWhep() {
  if (state.whepUrl) fetch(state.whepUrl, { method: 'DELETE', keepalive: true }).catch(() => {});
  state.whepUrl = null;
  if (state.pc) state.pc.close();
  state.pc = null;
}

function fallBackToHls() {
  stopWhep();
  $('program').srcObject = null;
  state.path = 'hls';
  startHls();
}

async function startPlayback() {
  const wantWhep = params.get('via') !== 'hls' && typeof RTCPeerConnection === 'function';
  if (wantWhep) {
    try {
      state.path = 'whep';
      await startWhep();
      note(null);
      return;
    } catch (err) {
      state.whepError = String(err.message || err);
      stopWhep();
      $('program').srcObject = null;
    }
  }
  state.path = 'hls';
  startHls();
}

// (Re)starts playback of the live playlist; a playlist that is not there yet (nobody has
// joined the meeting, so its program has not started) is asked for again a little later.
function startHls() {
  const video = $('program');
  // The master playlist names the program (index.m3u8) and its WebVTT captions.
  const url = `/hls/${meetingId}/master.m3u8`;
  clearTimeout(state.retry);
  if (window.Hls && window.Hls.isSupported()) {
    if (state.hls) state.hls.destroy();
    const hls = new window.Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 0 });
    state.hls = hls;
    // The WebVTT cues are read into the page's caption box (setupCaptions), not drawn on
    // the picture a second time.
    hls.subtitleDisplay = false;
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
      note(null);
      video.play().catch(() => {});
    });
    hls.on(window.Hls.Events.ERROR, (ev, data) => {
      if (!data.fatal) return;
      note('public.waiting');
      hls.destroy();
      state.hls = null;
      state.retry = setTimeout(startHls, RETRY_MS);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url;
    video.addEventListener('error', () => {
      note('public.waiting');
      state.retry = setTimeout(() => video.load(), RETRY_MS);
    });
    video.play().catch(() => {});
  } else {
    note('public.noHls');
  }
}

// Captions: beside the WebRTC picture, the server's list of public captions (polled: they
// come as soon as they are recognised); with HLS, the cues of its WebVTT rendition, which
// are timed with the HLS picture (several seconds behind). Shown in one box, so a viewer
// has one place to read them; the choice is remembered.
function setupCaptions() {
  const video = $('program');
  const box = $('public-captions');
  const shown = $('public-caption-box');
  const captions = createCaptions(shown);
  state.captions = captions;
  window.kaigi.captions = captions.shown;
  box.checked = localStorage.getItem('kaigi.captions') !== 'off';
  const update = () => {
    localStorage.setItem('kaigi.captions', box.checked ? 'on' : 'off');
    shown.hidden = !box.checked || captions.shown.length === 0;
    $('public-captions-note').hidden = captions.shown.length > 0;
  };
  video.textTracks.addEventListener('addtrack', (ev) => {
    const track = ev.track;
    track.mode = 'hidden';
    track.addEventListener('cuechange', () => {
      if (state.path !== 'hls' || !box.checked) return;
      for (const cue of track.activeCues ?? []) {
        const [, who = '', text = cue.text] = /^<v [^>]*>([^:]*): (.*)$/s.exec(cue.text) ?? [];
        captions.add({ id: `vtt-${cue.id}`, speaker: who, text: text.replace(/<[^>]+>/g, '') });
      }
      update();
    });
  });
  box.addEventListener('change', update);
  let after = 0;
  const poll = async () => {
    try {
      if (box.checked && state.path !== 'hls') {
        const res = await fetch(`/api/public/meetings/${meetingId}/captions?after=${after}`, { cache: 'no-store' });
        if (res.ok) {
          const c = await res.json();
          if ((c.last ?? 0) < after) after = 0; // the server started again: numbers restart
          for (const one of c.captions ?? []) captions.add(one);
          after = Math.max(after, c.last ?? 0);
          update();
        }
      }
    } catch {
      // The next poll asks again.
    }
    setTimeout(poll, CAPTIONS_MS);
  };
  update();
  poll();
}

function init() {
  startI18n($('lang'));
  onLangChange(render);
  window.kaigi = { page: 'public', state, meetingId };
  if (!Number.isInteger(meetingId) || meetingId <= 0) {
    showError('public.noMeeting');
    return;
  }
  $('public-play').addEventListener('click', () => {
    const video = $('program');
    video.muted = false;
    video.play().catch(() => {});
  });
  setupCaptions();
  poll();
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_MS);
  window.addEventListener('pagehide', stopWhep);
  startPlayback();
}

init();
