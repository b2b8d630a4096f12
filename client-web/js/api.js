// api.js: the REST API of docs/meetings-api.md for the secretariat console.
//
// Every call returns the decoded JSON (or null for 204) or throws an ApiError carrying the
// server's {error: {code, message}}, the HTTP status, and for `invalid` the field the
// message names (`roster[2].role: must be …` -> field 'roster[2].role'). Signing in sets
// the HttpOnly session cookie; the session string is also kept for scripts that need the
// Bearer header, but the page itself relies on the cookie (same origin, SameSite=Strict).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
    const m = /^([\w.[\]]+):\s/.exec(message ?? '');
    this.field = code === 'invalid' && m ? m[1] : null;
  }
}

async function request(method, path, { json, body, type } = {}) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
    init.headers['Content-Type'] = type || 'application/octet-stream';
  } else if (method !== 'GET') {
    // Every POST/PUT/DELETE carries a JSON type, even without a body (the CSRF rule).
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'network', err?.message ?? String(err));
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code || `http-${res.status}`, e.message || res.statusText);
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  login: (name, password) => request('POST', '/api/login', { json: { name, password } }),
  logout: () => request('POST', '/api/logout'),
  me: () => request('GET', '/api/me'),
  meetings: () => request('GET', '/api/meetings'),
  meeting: (id) => request('GET', `/api/meetings/${enc(id)}`),
  createMeeting: (doc) => request('POST', '/api/meetings', { json: doc }),
  saveMeeting: (id, doc) => request('PUT', `/api/meetings/${enc(id)}`, { json: doc }),
  deleteMeeting: (id) => request('DELETE', `/api/meetings/${enc(id)}`),
  uploadMaterial: (id, item, file) =>
    request('POST', `/api/meetings/${enc(id)}/agenda/${enc(item)}/materials?name=${enc(file.name)}`, {
      body: file,
      type: file.type || 'application/octet-stream',
    }),
  deleteMaterial: (mat) => request('DELETE', `/api/materials/${enc(mat)}`),
  materialUrl: (mat, token = null) => `/api/materials/${enc(mat)}${token ? `?t=${enc(token)}` : ''}`,
  links: (id, hours) => request('POST', `/api/meetings/${enc(id)}/links`, { json: hours ? { hours } : {} }),
  attendance: (id) => request('GET', `/api/meetings/${enc(id)}/attendance`),
  markInRoom: (id, roster, inRoom) =>
    request('PUT', `/api/meetings/${enc(id)}/attendance/${enc(roster)}`, { json: { in_room: inRoom } }),
  decisions: (id) => request('GET', `/api/meetings/${enc(id)}/decisions`),
};
