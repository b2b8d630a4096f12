// meeting.js: one visit to a meeting — the socket, the WebRTC media, the gallery.
//
// Owns the signalling socket (protocol.js) and the RTCPeerConnection for one visit; the
// screen modules (member.js, chair.js, venue.js, viewer.js) add their own message handlers
// through `handlers` and read the participants from here. With `media: false` (consoles,
// viewers) there is no camera, no peer connection and no gallery, only the socket.
//
//   idle --start()--> joining --welcome--> joined --leave()--> left
//                        \                    \
//                         `-- socket closed, server error that closes, media failed --> error
//
// The server makes the only offer (docs/protocol.md): m-line 0 audio sendrecv (our mic
// out, the mix of everyone else in), m-line 1 video sendrecv (our camera out, slot 0 in),
// m-lines 2..K recvonly video slots, then one recvonly materials slot (the screen someone
// shares, or the material on show: `slots`.materials). The transceivers of the answered offer
// are in m-line order, so slot i of a `slots` message is shown from
// getTransceivers()[slot.mline]. Sharing our screen replaces our camera's track on m-line 1
// (no renegotiation) and says `screen` {on}; the server's `screen-ended` puts the camera back.
// A participant muted by the chair (`forced`) cannot switch the mic on again until the chair
// asks (acceptUnmute()) or the server clears `forced`; the mic button then says so.
// All DOM work for the gallery happens here; the strings come from i18n.js.

import { Signalling, TOKEN_ERRORS } from './protocol.js';
import { t, hasKey, localize, onLangChange } from './i18n.js';

// Server error codes after which the server closes the socket (docs/protocol.md).
const FATAL_CODES = new Set(['meeting-full', 'too-large', 'rate-limited', 'internal', ...TOKEN_ERRORS]);
const MAX_EVENTS = 500;

const ICON_MIC_OFF =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3z" fill="currentColor"/><path d="M19 11a7 7 0 0 1-14 0M12 18v3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><path d="M4 3l16 18" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>';
const ICON_HAND =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 11V5a1.5 1.5 0 0 1 3 0v5V3.5a1.5 1.5 0 0 1 3 0V10V4.5a1.5 1.5 0 0 1 3 0V11v-3a1.5 1.5 0 0 1 3 0v7a7 7 0 0 1-12.5 4.3L4 15.5a1.6 1.6 0 0 1 2.5-2z" fill="currentColor"/></svg>';
const ICON_CAM_OFF =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="2" y="6" width="13" height="12" rx="2" fill="currentColor"/><path d="M16 10l6-3v10l-6-3z" fill="currentColor"/><path d="M3 3l18 18" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>';

async function getLocalMedia() {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, notice: 'notice.insecure' };
  const video = { width: 640, height: 360 };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video });
    return { stream, notice: null };
  } catch (err) {
    console.warn('kaigi: camera and microphone together failed', err);
  }
  // One of the two may still work on its own.
  const tracks = [];
  for (const c of [{ audio: true }, { video }]) {
    try {
      const s = await navigator.mediaDevices.getUserMedia(c);
      tracks.push(...s.getTracks());
    } catch (err) {
      console.warn('kaigi: getUserMedia failed for', c, err);
    }
  }
  const hasAudio = tracks.some((tr) => tr.kind === 'audio');
  const hasVideo = tracks.some((tr) => tr.kind === 'video');
  const notice = hasAudio ? (hasVideo ? null : 'notice.noCamera') : hasVideo ? 'notice.noMic' : 'notice.noMedia';
  return { stream: tracks.length ? new MediaStream(tracks) : null, notice };
}

function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'html') e.innerHTML = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function makeIcon(svg, key, cls) {
  const span = el('span', { class: `icon ${cls}`, role: 'img', html: svg });
  localize(span, key, {}, 'aria-label');
  localize(span, key, {}, 'title');
  return span;
}

// One video tile: the video, a placeholder for "camera off", and a caption with the name
// and the mic/camera-off icons.
function makeTile(attrs) {
  const video = el('video', { autoplay: '', playsinline: '' });
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  const initial = el('span', { class: 'initial' });
  const placeholderText = el('span', { class: 'placeholder-text' });
  const placeholder = el('div', { class: 'placeholder', hidden: '' }, [initial, placeholderText]);
  const name = el('span', { class: 'name' });
  const micOff = makeIcon(ICON_MIC_OFF, 'icon.micOff', 'mic-off');
  const camOff = makeIcon(ICON_CAM_OFF, 'icon.camOff', 'cam-off');
  const icons = el('span', { class: 'icons' }, [micOff, camOff]);
  const caption = el('figcaption', {}, [name, icons]);
  const tile = el('figure', { class: 'tile', ...attrs }, [video, placeholder, caption]);
  return { tile, video, placeholder, placeholderText, initial, name, micOff, camOff };
}

function setTileParticipant(parts, p, { cameraMissing = false } = {}) {
  const videoOff = !p || p.video === false || cameraMissing;
  parts.micOff.hidden = !p || p.audio !== false;
  parts.camOff.hidden = !p || p.video !== false;
  parts.placeholder.hidden = !videoOff;
  parts.initial.textContent = p?.name ? [...p.name.trim()][0]?.toUpperCase() ?? '' : '';
  localize(parts.placeholderText, cameraMissing ? 'meeting.noCamera' : 'meeting.cameraOff');
}

export class Meeting {
  #name;
  #join;
  #media;
  #extra;
  #onWelcomeCb;
  #onChange;
  #onSelf;
  #onForcedToggle;
  #forced = false;
  #title = '';
  #errors = [];
  #els;
  #onEnd;
  #sig = null;
  #pc = null;
  #state = 'idle';
  #id = null;
  #meetingInfo = null;
  #iceServers = []; // STUN/TURN from welcome (the server's [webrtc] settings)
  #participants = new Map(); // id -> {id, name, audio, video}: the others
  #slotCount = 0;
  #slots = [];
  #materials = null; // `slots`.materials: {mline, mid, participant, material}
  #materialsTile = null;
  #screenTrack = null; // our screen while we share it
  #speaking = new Set(); // ids of those the server's mixer hears speaking now (`speaking`)
  #tiles = []; // per slot: the parts from makeTile()
  #selfTile = null;
  #localStream = null;
  #audioTrack = null;
  #videoTrack = null;
  #pendingIce = [];
  #pcQueue = Promise.resolve();
  #events = [];
  #errorShown = false;
  #offLang = null;

  // els: the page's elements (see join.js); onEnd(how) is called with 'left', 'error', or
  // 'bad-name' (the server refused the name). join: the members of the `join` message
  // ({meeting, token, media}; the old demo join sent {name}). handlers: more message types
  // for the screen ({type: fn}); onWelcome(msg), onChange() after the participants change,
  // onSelf(participant) for our own participant-updated, onForcedToggle() when the mic
  // button is pressed while the chair has muted us.
  constructor({
    name = '',
    join = null,
    media = true,
    els,
    onEnd,
    handlers = {},
    onWelcome = null,
    onChange = null,
    onSelf = null,
    onForcedToggle = null,
  }) {
    this.#name = name;
    this.#join = join ?? { name };
    this.#media = media;
    this.#extra = handlers;
    this.#onWelcomeCb = onWelcome;
    this.#onChange = onChange;
    this.#onSelf = onSelf;
    this.#onForcedToggle = onForcedToggle;
    this.#els = els;
    this.#onEnd = onEnd;
  }

  get media() {
    return this.#media;
  }
  get name() {
    return this.#name;
  }
  get errors() {
    return this.#errors.slice();
  }
  get forced() {
    return this.#forced;
  }
  get audioOn() {
    return !!this.#audioTrack?.enabled;
  }
  get hasAudio() {
    return !!this.#audioTrack;
  }

  // Sends a message of the screen (hand, floor, state, …); false if not connected.
  send(type, members = {}) {
    if (this.#state !== 'joined') return false;
    return this.#sig?.send(type, members) ?? false;
  }

  get state() {
    return this.#state;
  }
  get pc() {
    return this.#pc;
  }
  get id() {
    return this.#id;
  }
  get meeting() {
    return this.#meetingInfo;
  }
  get slots() {
    return this.#slots.map((s) => ({ ...s }));
  }
  // What the materials slot shows: {participant, material} (ids or null), or null.
  get materials() {
    return this.#materials ? { ...this.#materials } : null;
  }
  get sharingScreen() {
    return !!this.#screenTrack;
  }
  // Ids of the participants speaking now (ours too), as the server's `speaking` said.
  get speaking() {
    return [...this.#speaking];
  }
  get participants() {
    return [...this.#participants.values()].map((p) => ({ ...p }));
  }
  get events() {
    return this.#events.slice();
  }

  #setState(s) {
    this.#state = s;
    document.body.dataset.state = s;
  }

  #setStatus(key) {
    localize(this.#els.status, key);
    this.#els.status.dataset.status = key.replace('status.', '');
  }

  #showError(key, params = {}) {
    this.#errorShown = true;
    this.#els.error.hidden = false;
    localize(this.#els.error, key, params);
  }

  #showNotice(key) {
    this.#els.notice.hidden = !key;
    if (key) localize(this.#els.notice, key);
  }

  #record(msg) {
    const { sdp, ...rest } = msg;
    this.#events.push({ at: Date.now(), ...rest, ...(sdp ? { sdp: `${sdp.length} bytes` } : {}) });
    if (this.#events.length > MAX_EVENTS) this.#events.splice(0, this.#events.length - MAX_EVENTS);
  }

  // ---- joining ----

  async start() {
    this.#setState('joining');
    this.#els.error.hidden = true;
    this.#showNotice(null);
    this.#offLang = onLangChange(() => this.#renderAll());

    if (this.#media) {
      this.#setStatus('status.media');
      const { stream, notice } = await getLocalMedia();
      if (this.#state !== 'joining') {
        // Left while the browser was asking for the camera.
        for (const tr of stream?.getTracks() ?? []) tr.stop();
        return;
      }
      this.#localStream = stream;
      this.#audioTrack = stream?.getAudioTracks()[0] ?? null;
      this.#videoTrack = stream?.getVideoTracks()[0] ?? null;
      this.#showNotice(notice);
      this.#buildSelfTile();

      if (typeof RTCPeerConnection === 'undefined') {
        this.#fail('error.noWebrtc');
        return;
      }
    }

    this.#setStatus('status.connecting');
    this.#sig = new Signalling();
    const sig = this.#sig;
    const base = {
      welcome: (m) => this.#onWelcome(m),
      offer: (m) => this.#onOffer(m),
      ice: (m) => this.#onIce(m),
      slots: (m) => this.#onSlots(m),
      'participant-joined': (m) => this.#onParticipant(m),
      'participant-updated': (m) => this.#onParticipant(m),
      'participant-left': (m) => this.#onParticipantLeft(m),
      speaking: (m) => this.#onSpeaking(m),
      'screen-ended': () => this.#endScreen(false),
      pong: () => {},
      error: (m) => this.#onServerError(m),
      $close: (c) => this.#onSocketClosed(c),
    };
    for (const type of new Set([...Object.keys(base), ...Object.keys(this.#extra)])) {
      sig.on(type, (m) => {
        if (!type.startsWith('$')) this.#record(m);
        base[type]?.(m);
        this.#extra[type]?.(m);
      });
    }
    try {
      await sig.connect();
    } catch (err) {
      console.warn('kaigi:', err);
      if (this.#state === 'joining') this.#fail('error.connect');
      return;
    }
    if (this.#state !== 'joining') return; // left while connecting
    this.#setStatus('status.joining');
    sig.send('join', this.#join);
  }

  #onWelcome(m) {
    this.#id = m.id ?? m.you?.id ?? null;
    if (typeof m.you?.name === 'string') this.#name = m.you.name;
    this.#title = typeof m.you?.title === 'string' ? m.you.title : '';
    this.#meetingInfo = m.meeting ?? null;
    this.#iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
    this.#participants.clear();
    for (const p of m.participants ?? []) if (p.id !== this.#id) this.#participants.set(p.id, { ...p });
    this.#setState('joined');
    const title = m.title ?? this.#meetingInfo?.title;
    if (title) {
      delete this.#els.meetingTitle.dataset.i18n;
      this.#els.meetingTitle.textContent = title;
    }
    if (this.#media) {
      this.#slotCount = Number.isInteger(m.slots) && m.slots > 0 ? m.slots : 0;
      this.#buildSlotTiles(this.#slotCount);
      this.#setStatus('status.negotiating');
      this.#selfTile.tile.dataset.participant = this.#id;
      // Tell the others right away what we cannot send.
      if (!this.#audioTrack || !this.#videoTrack)
        this.#sig.send('mute', { audio: !!this.#audioTrack, video: !!this.#videoTrack });
    } else {
      this.#setStatus('status.connectedNoMedia');
    }
    this.#renderAll();
    this.#onWelcomeCb?.(m);
    this.#onChange?.();
    if (this.#media && !this.#els.muteAudio.disabled) this.#els.muteAudio.focus();
  }

  // ---- WebRTC ----

  #enqueue(fn) {
    this.#pcQueue = this.#pcQueue.then(fn).catch((err) => {
      console.error('kaigi: WebRTC step failed', err);
      if (this.#state === 'joining' || this.#state === 'joined')
        this.#fail('error.webrtc', { message: err?.message ?? String(err) }, { keepSocket: true });
    });
  }

  #createPc() {
    // ?ice=relay forces every packet through the TURN relay: how a member behind a strict
    // firewall connects, and how the relay is tested (tests/browser/relay.test.mjs).
    const relay = new URLSearchParams(location.search).get('ice') === 'relay';
    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      iceServers: this.#iceServers,
      iceTransportPolicy: relay ? 'relay' : 'all',
    });
    pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      if (c && c.candidate) {
        this.#sig?.send('ice', { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex ?? 0 });
      } else if (!c) {
        this.#sig?.send('ice', { candidate: '', sdpMLineIndex: 0 }); // end of candidates
      }
    };
    pc.onconnectionstatechange = () => this.#onPcState(pc);
    this.#pc = pc;
    return pc;
  }

  #onOffer(m) {
    if (!this.#media) return; // a console or viewer has no peer connection
    this.#enqueue(async () => {
      if (this.#state !== 'joined' && this.#state !== 'joining') return;
      const pc = this.#pc ?? this.#createPc();
      await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      await this.#setupTransceivers(pc);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.#sig.send('answer', { sdp: pc.localDescription.sdp });
      const pending = this.#pendingIce.splice(0);
      for (const c of pending) await this.#addIce(pc, c);
    });
  }

  async #setupTransceivers(pc) {
    const trs = pc.getTransceivers();
    if (trs.length < 2) throw new Error(`the offer has ${trs.length} m-lines, expected at least 2`);
    const [audio, video, ...slots] = trs;
    audio.direction = 'sendrecv';
    await audio.sender.replaceTrack(this.#audioTrack);
    video.direction = 'sendrecv';
    await video.sender.replaceTrack(this.#videoTrack);
    for (const tr of slots) tr.direction = 'recvonly';

    const audioEl = this.#els.remoteAudio;
    audioEl.srcObject = new MediaStream([audio.receiver.track]);
    audioEl.play().catch((err) => console.warn('kaigi: remote audio did not start', err));
    this.#renderTiles();
  }

  #onIce(m) {
    // An empty candidate marks the end of the server's candidates; nothing to add.
    if (typeof m.candidate !== 'string' || m.candidate === '') return;
    const c = { candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex ?? 0 };
    this.#enqueue(async () => {
      const pc = this.#pc;
      if (!pc || !pc.remoteDescription) this.#pendingIce.push(c);
      else await this.#addIce(pc, c);
    });
  }

  async #addIce(pc, c) {
    try {
      await pc.addIceCandidate(c);
    } catch (err) {
      // One bad candidate is not fatal; the others may still connect.
      console.warn('kaigi: addIceCandidate failed', c, err);
    }
  }

  #onPcState(pc) {
    if (pc !== this.#pc || this.#state !== 'joined') return;
    switch (pc.connectionState) {
      case 'connected':
        this.#setStatus('status.connected');
        break;
      case 'disconnected':
        this.#setStatus('status.interrupted');
        break;
      case 'failed':
        this.#fail('error.media', {}, { keepSocket: true });
        break;
      default:
        break;
    }
  }

  // ---- meeting state from the server ----

  #onSlots(m) {
    if (!Array.isArray(m.slots)) return;
    this.#slots = m.slots.map((s) => ({ ...s }));
    this.#materials = m.materials && typeof m.materials === 'object' ? { ...m.materials } : null;
    const needed = Math.max(this.#slotCount, ...this.#slots.map((s) => s.index + 1));
    if (needed > this.#tiles.length) this.#buildSlotTiles(needed);
    this.#renderTiles();
  }

  #onParticipant(m) {
    const p = m.participant;
    if (!p || typeof p.id !== 'string') return;
    if (p.id === this.#id) {
      // Our own state: the mic and camera we know already; `forced` is the server's word.
      if (typeof p.forced === 'boolean') this.setForced(p.forced);
      this.#onSelf?.(p);
      return;
    }
    this.#participants.set(p.id, { ...p });
    this.#renderAll();
    this.#onChange?.();
  }

  #onSpeaking(m) {
    if (typeof m.id !== 'string') return;
    if (m.speaking === true) this.#speaking.add(m.id);
    else this.#speaking.delete(m.id);
    this.#renderSpeaking();
  }

  #onParticipantLeft(m) {
    this.#participants.delete(m.id);
    this.#speaking.delete(m.id);
    this.#renderAll();
    this.#onChange?.();
  }

  #onServerError(m) {
    const code = typeof m.code === 'string' ? m.code : 'unknown';
    const message = typeof m.message === 'string' ? m.message : '';
    const key = `error.${code}`;
    this.#errors.push({ at: Date.now(), code, message });
    if (hasKey(key)) this.#showError(key, { message, code });
    else this.#showError('error.server', { code, message });
    if (code === 'bad-sdp' && this.#state === 'joined') {
      this.#setState('error');
      this.#setStatus('status.error');
    }
    if (code === 'bad-name' && this.#state === 'joining') {
      // Back to the form: the person can correct the name.
      this.#teardown();
      this.#setState('idle');
      this.#setStatus('status.idle');
      this.#onEnd?.('bad-name');
    }
    // FATAL_CODES: the server closes the socket next; #onSocketClosed ends the visit.
  }

  #onSocketClosed(c) {
    if (this.#state === 'left' || this.#state === 'idle') return;
    if (c.byUs) return;
    if (this.#state === 'error' && !this.#pc) return;
    this.#fail(this.#errorShown ? null : 'error.closed');
  }

  // ---- controls ----

  toggleAudio() {
    if (this.#forced && !this.#audioTrack?.enabled) {
      // Muted by the chair: only the chair's request or the floor lets us speak again.
      this.#onForcedToggle?.();
      return;
    }
    this.#toggle(this.#audioTrack, 'audio');
  }

  // The chair muted us (`muted`): the server has stopped our audio; switch the mic off here
  // too so that what the person sees is what the others hear.
  forceMute() {
    this.setForced(true);
    if (this.#audioTrack) this.#audioTrack.enabled = false;
    this.#renderSelfAndControls();
  }

  setForced(forced) {
    if (this.#forced === forced) return;
    this.#forced = forced;
    this.#renderSelfAndControls();
  }

  // The person accepted the chair's `unmute-requested`: mic on, and tell the server with an
  // ordinary `mute` {audio: true}.
  acceptUnmute() {
    this.#forced = false;
    if (this.#audioTrack && this.#state === 'joined') {
      this.#audioTrack.enabled = true;
      this.#sig.send('mute', { audio: true });
    }
    this.#renderSelfAndControls();
  }

  #renderSelfAndControls() {
    this.#renderControls();
    this.#renderSelf();
    this.#renderPeople();
  }

  toggleVideo() {
    this.#toggle(this.#videoTrack, 'video');
  }

  // Switches a local track on or off and tells the others ('mute' with audio or video).
  #toggle(track, kind) {
    if (!track || this.#state !== 'joined') return;
    track.enabled = !track.enabled;
    this.#sig.send('mute', { [kind]: track.enabled });
    this.#renderControls();
    this.#renderSelf();
    this.#renderPeople();
  }

  // Leaves the meeting: 'leave', then close the peer connection and the socket.
  leave() {
    if (this.#state === 'left' || this.#state === 'idle') return;
    if (this.#id) this.#sig?.send('leave'); // before welcome there is nothing to leave
    this.#teardown();
    this.#setState('left');
    this.#setStatus('status.left');
    this.#onEnd?.('left');
  }

  // Ends the visit with an error (key null: the error shown already stays).
  #fail(key, params = {}, { keepSocket = false } = {}) {
    if (key) this.#showError(key, params);
    if (!keepSocket) this.#teardown();
    this.#setState('error');
    this.#setStatus('status.error');
    if (!keepSocket) this.#onEnd?.('error');
  }

  #teardown() {
    const pc = this.#pc;
    this.#pc = null;
    if (pc) {
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    this.#sig?.close(1000, 'bye');
    for (const tr of this.#localStream?.getTracks() ?? []) tr.stop();
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.#els.remoteAudio.srcObject = null;
    for (const parts of [...this.#tiles, this.#selfTile, this.#materialsTile]) if (parts) parts.video.srcObject = null;
    this.#offLang?.();
    this.#offLang = null;
  }

  // ---- rendering ----

  #buildSelfTile() {
    this.#els.tiles.replaceChildren();
    this.#tiles = [];
    this.#materialsTile = makeTile({ 'data-materials': '' });
    this.#materialsTile.tile.classList.add('materials');
    this.#materialsTile.tile.hidden = true;
    this.#els.tiles.append(this.#materialsTile.tile);
    const parts = makeTile({ 'data-self': '' });
    parts.tile.classList.add('self');
    if (this.#videoTrack) parts.video.srcObject = new MediaStream([this.#videoTrack]);
    this.#selfTile = parts;
    this.#els.tiles.append(parts.tile);
    this.#renderSelf();
    this.#renderControls();
  }

  #buildSlotTiles(count) {
    for (let i = this.#tiles.length; i < count; i++) {
      const parts = makeTile({ 'data-slot': String(i), 'data-participant': '' });
      parts.tile.hidden = true;
      this.#tiles.push(parts);
      this.#els.tiles.append(parts.tile);
    }
  }

  #selfParticipant() {
    return {
      id: this.#id,
      name: this.#name,
      title: this.#title,
      audio: !!this.#audioTrack?.enabled,
      video: !!this.#videoTrack?.enabled,
    };
  }

  #renderSelf() {
    const parts = this.#selfTile;
    if (!parts) return;
    const me = this.#selfParticipant();
    localize(parts.name, 'meeting.youSuffix', { name: this.#name });
    setTileParticipant(parts, me, { cameraMissing: !this.#videoTrack });
  }

  #renderControls() {
    const { muteAudio, muteVideo } = this.#els;
    const audioOff = !this.#audioTrack?.enabled;
    const videoOff = !this.#videoTrack?.enabled;
    muteAudio.disabled = !this.#audioTrack;
    muteVideo.disabled = !this.#videoTrack;
    muteAudio.setAttribute('aria-pressed', String(audioOff));
    muteVideo.setAttribute('aria-pressed', String(videoOff));
    const forced = this.#forced && audioOff;
    muteAudio.classList.toggle('forced', forced);
    localize(
      muteAudio.querySelector('.state'),
      forced ? 'control.stateAudioForced' : audioOff ? 'control.stateAudioOff' : 'control.stateAudioOn',
    );
    localize(muteVideo.querySelector('.state'), videoOff ? 'control.stateVideoOff' : 'control.stateVideoOn');
  }

  #trackForSlot(slot) {
    const trs = this.#pc?.getTransceivers() ?? [];
    let tr = trs[slot.mline];
    if (slot.mid != null && tr?.mid != null && tr.mid !== String(slot.mid))
      tr = trs.find((x) => x.mid === String(slot.mid)) ?? tr;
    return tr?.receiver.track ?? null;
  }

  #renderTiles() {
    const bySlot = new Map(this.#slots.map((s) => [s.index, s]));
    let shown = 0;
    this.#tiles.forEach((parts, i) => {
      const slot = bySlot.get(i);
      const pid = slot?.participant ?? null;
      const p = pid ? this.#participants.get(pid) ?? { id: pid, name: pid } : null;
      parts.tile.dataset.participant = pid ?? '';
      parts.tile.hidden = !p;
      parts.tile.classList.toggle('empty', !p);
      if (p) shown++;
      parts.name.textContent = p ? p.name : '';
      if (!p) localize(parts.name, 'meeting.emptySlot');
      else delete parts.name.dataset.i18n;
      setTileParticipant(parts, p);
      const track = slot ? this.#trackForSlot(slot) : null;
      const current = parts.video.srcObject?.getVideoTracks()[0] ?? null;
      if (track && track !== current) {
        parts.video.srcObject = new MediaStream([track]);
        parts.video.play().catch(() => {});
      }
    });
    this.#renderMaterials();
    this.#els.alone.hidden = shown > 0 || this.#participants.size > 0;
    this.#els.tiles.dataset.count = String(shown + 1);
    this.#renderSpeaking();
  }

  // The materials slot: someone's screen, or a material, above the cameras when there is one.
  #renderMaterials() {
    const parts = this.#materialsTile;
    if (!parts) return;
    const m = this.#materials;
    const who = m?.participant ? this.#participants.get(m.participant) ?? { name: m.participant } : null;
    const on = !!(who || m?.material);
    parts.tile.hidden = !on;
    parts.tile.dataset.participant = m?.participant ?? '';
    parts.tile.dataset.material = m?.material != null ? String(m.material) : '';
    setTileParticipant(parts, on ? { name: who?.name ?? '' } : null);
    if (who) localize(parts.name, 'meeting.screenOf', { name: who.name });
    else localize(parts.name, 'meeting.materialShown');
    const track = on ? this.#trackForSlot(m) : null;
    const current = parts.video.srcObject?.getVideoTracks()[0] ?? null;
    if (track && track !== current) {
      parts.video.srcObject = new MediaStream([track]);
      parts.video.play().catch(() => {});
    }
  }

  // Shares our screen in place of our camera (getDisplayMedia asks the person which screen);
  // a second call stops it. The server puts it into everyone's materials slot.
  async toggleScreen() {
    if (this.#screenTrack) {
      this.#endScreen(true);
      return;
    }
    if (this.#state !== 'joined' || !this.#pc || !navigator.mediaDevices?.getDisplayMedia) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      console.warn('kaigi: no screen to share', err);
      return; // the person cancelled the browser's choice
    }
    const track = stream.getVideoTracks()[0];
    const sender = this.#pc?.getTransceivers()[1]?.sender;
    if (!track || !sender || this.#state !== 'joined') {
      track?.stop();
      return;
    }
    track.contentHint = 'detail';
    await sender.replaceTrack(track);
    this.#screenTrack = track;
    track.addEventListener('ended', () => this.#endScreen(true)); // the browser's own "stop"
    this.#sig.send('screen', { on: true });
    if (!this.#videoTrack?.enabled) this.#sig.send('mute', { video: true });
    this.#renderScreen();
  }

  // Back to the camera; @tell: we stopped (else the server ended it).
  #endScreen(tell) {
    const track = this.#screenTrack;
    if (!track) return;
    this.#screenTrack = null;
    track.stop();
    const sender = this.#pc?.getTransceivers()[1]?.sender;
    sender?.replaceTrack(this.#videoTrack).catch((err) => console.warn('kaigi: camera not restored', err));
    if (tell) this.#sig?.send('screen', { on: false });
    if (this.#videoTrack && !this.#videoTrack.enabled) this.#sig?.send('mute', { video: false });
    this.#renderScreen();
  }

  #renderScreen() {
    const btn = this.#els.shareScreen;
    if (btn) {
      btn.setAttribute('aria-pressed', String(!!this.#screenTrack));
      localize(btn.querySelector('.label'), this.#screenTrack ? 'control.stopScreen' : 'control.shareScreen');
    }
    const parts = this.#selfTile;
    parts?.tile.classList.toggle('sharing', !!this.#screenTrack);
    const track = this.#screenTrack ?? this.#videoTrack;
    if (parts && parts.video.srcObject?.getVideoTracks()[0] !== track)
      parts.video.srcObject = track ? new MediaStream([track]) : null;
  }

  // The tiles and people-list rows of whoever speaks now get the class `speaking` (a coloured
  // frame): the server's mixer decides, the same for every page.
  #renderSpeaking() {
    const on = (id) => !!id && this.#speaking.has(id);
    for (const parts of this.#tiles) parts.tile.classList.toggle('speaking', on(parts.tile.dataset.participant));
    this.#selfTile?.tile.classList.toggle('speaking', on(this.#id));
    for (const li of this.#els.people?.children ?? []) li.classList.toggle('speaking', on(li.dataset.participant));
  }

  #renderPeople() {
    const list = this.#els.people;
    const everyone = [this.#selfParticipant(), ...this.#participants.values()];
    localize(this.#els.peopleHeading, 'meeting.people', { count: everyone.length });
    list.replaceChildren(
      ...everyone.map((p) => {
        const name = el('span', { class: 'name' });
        if (p.id === this.#id || p.id === null) localize(name, 'meeting.youSuffix', { name: p.name });
        else name.textContent = p.name;
        if (p.title) name.append(' ', el('span', { class: 'title' }, [p.title]));
        const icons = el('span', { class: 'icons' });
        if (p.hand) icons.append(makeIcon(ICON_HAND, 'icon.hand', 'hand'));
        if (p.audio === false) icons.append(makeIcon(ICON_MIC_OFF, 'icon.micOff', 'mic-off'));
        if (p.video === false) icons.append(makeIcon(ICON_CAM_OFF, 'icon.camOff', 'cam-off'));
        return el('li', { 'data-participant': p.id ?? '' }, [name, icons]);
      }),
    );
    this.#renderSpeaking();
  }

  #renderAll() {
    this.#renderSelf();
    this.#renderControls();
    this.#renderTiles();
    this.#renderPeople();
  }
}
