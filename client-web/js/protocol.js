// protocol.js: the kaigi signalling WebSocket (docs/protocol.md), shared by every screen.
//
// One socket to /ws with the sub-protocol 'kaigi'; every message is a JSON object with a
// string 'type'. Incoming messages are dispatched to the handlers registered for their
// type with on(); the pseudo-types '$open' and '$close' report the socket itself
// ('$close' gets {code, reason, wasClean, byUs}). Nothing here knows about screens.

export const SUBPROTOCOL = 'kaigi';

// Keep-alive: a ping now and then keeps proxies from closing an idle socket. Well under the
// server's rate bound (50/s).
const PING_INTERVAL_MS = 20000;

export function signallingUrl(loc = location) {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws`;
}

export class Signalling {
  #url;
  #ws = null;
  #handlers = new Map();
  #pingTimer = null;
  #closingByUs = false;

  constructor(url = signallingUrl()) {
    this.#url = url;
  }

  get isOpen() {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  // Register fn for messages of this type; returns a function that removes it.
  on(type, fn) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(fn);
    return () => this.#handlers.get(type)?.delete(fn);
  }

  #emit(type, data) {
    const set = this.#handlers.get(type);
    if (!set || set.size === 0) {
      if (type !== '$open' && type !== '$close') console.debug('kaigi: no handler for', type, data);
      return;
    }
    for (const fn of [...set]) {
      try {
        fn(data);
      } catch (err) {
        console.error(`kaigi: handler for '${type}' failed`, err);
      }
    }
  }

  // Resolves when the socket is open; rejects if it closes or fails before that.
  connect() {
    return new Promise((resolve, reject) => {
      let opened = false;
      let ws;
      try {
        ws = new WebSocket(this.#url, SUBPROTOCOL);
      } catch (err) {
        reject(err);
        return;
      }
      this.#ws = ws;
      ws.onopen = () => {
        opened = true;
        this.#pingTimer = setInterval(() => this.send('ping'), PING_INTERVAL_MS);
        this.#emit('$open', {});
        resolve();
      };
      ws.onmessage = (ev) => this.#receive(ev.data);
      ws.onerror = () => {
        // The close event follows with the details; before open it is a failed connect.
        if (!opened) reject(new Error(`cannot connect to ${this.#url}`));
      };
      ws.onclose = (ev) => {
        clearInterval(this.#pingTimer);
        this.#pingTimer = null;
        if (!opened) {
          reject(new Error(`connection to ${this.#url} closed (${ev.code})`));
          return;
        }
        this.#emit('$close', {
          code: ev.code,
          reason: ev.reason,
          wasClean: ev.wasClean,
          byUs: this.#closingByUs,
        });
      };
    });
  }

  #receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      console.warn('kaigi: server sent a frame that is not JSON', text);
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') {
      console.warn('kaigi: server sent a message without a type', msg);
      return;
    }
    this.#emit(msg.type, msg);
  }

  // Sends {type, ...members}; returns false if the socket is not open.
  send(type, members = {}) {
    if (!this.isOpen) return false;
    this.#ws.send(JSON.stringify({ type, ...members }));
    return true;
  }

  // Closes the socket; queued messages (such as 'leave') are still sent first.
  close(code = 1000, reason = '') {
    this.#closingByUs = true;
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (this.#ws && this.#ws.readyState <= WebSocket.OPEN) this.#ws.close(code, reason);
  }
}

// ---- meetings (docs/meetings-api.md) ----

// Errors that answer a join and close the socket: the token or the meeting is not good.
export const TOKEN_ERRORS = Object.freeze([
  'token-invalid',
  'token-expired',
  'token-wrong-meeting',
  'removed',
  'meeting-adjourned',
  'no-such-meeting',
]);

export const MEETING_STATES = Object.freeze(['scheduled', 'public', 'closed', 'recess', 'adjourned']);

// The chair's `state` commands that are valid from each state (the diagram in
// meetings-api.md): open only from scheduled; public, closed and recess reach each other;
// adjourn ends any of the three.
export const STATE_TRANSITIONS = Object.freeze({
  scheduled: ['open'],
  public: ['closed', 'recess', 'adjourned'],
  closed: ['public', 'recess', 'adjourned'],
  recess: ['public', 'closed', 'adjourned'],
  adjourned: [],
});

export const STATE_COMMANDS = Object.freeze(['open', 'public', 'closed', 'recess', 'adjourned']);

// Reads the payload of a join token without checking it (only the server can): the role
// decides the view to prepare and whether to ask for camera and microphone before `join`.
// Returns {m, r, p, e} or null for anything that is not a kaigi1 token.
export function peekToken(token) {
  const parts = String(token ?? '').split('.');
  if (parts.length !== 3 || parts[0] !== 'kaigi1') return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === 'object' ? payload : null;
  } catch {
    return null;
  }
}

// Whether a join with this token sends and receives media. Viewers never do; a secretariat
// console (an account token, participant a<ID>) watches the meeting without camera.
export function tokenWantsMedia(payload) {
  if (!payload) return true;
  if (payload.r === 'viewer' || payload.p === 'public') return false;
  if (typeof payload.p === 'string' && payload.p.startsWith('a')) return false;
  return true;
}
