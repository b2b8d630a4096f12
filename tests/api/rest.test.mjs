// rest.test.mjs: the REST API of docs/meetings-api.md against a real kaigi-server process.
//
// Sign-in (wrong password, the first-start account, --add-account, sign-out), the guard on
// every secretariat route, the content-type rule against cross-site forms, a meeting document
// with each kind of mistake answered with the field named, create/read/update keeping ids,
// materials (Japanese file names, download with a join token, not with a viewer's or a forged
// one), join links that really join (WebSocket), edits refused once the chair has opened the
// meeting, bounds (413, 404, 405). Exits 0 on pass.

import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { Server, check, log, runTest, serverBinary } from '../browser/lib.mjs';

const doc = () => ({
  body: 'テスト町議会',
  title: '総務常任委員会',
  number: '第3回',
  scheduled_at: '2026-12-01T10:00:00+09:00',
  visibility: 'closed',
  visibility_reason: '人事案件のため',
  quorum_rule: 'in-room',
  venues: [
    { kind: 'main', name: '第1委員会室' },
    { kind: 'satellite', name: '北支所' },
    { kind: 'online', name: 'オンライン' },
  ],
  agenda: [
    { number: '議案第1号', title: '職員の給与に関する条例の一部改正について' },
    { number: '報告1', title: 'その他' },
  ],
  roster: [
    { name: '田中 委員長', title: '委員長', role: 'chair', site: '第1委員会室' },
    { name: '鈴木', title: '委員', role: 'member', site: 'オンライン' },
    { name: '佐藤', title: '委員', role: 'member', site: '北支所' },
    { name: '総務課長', title: '課長', role: 'presenter', site: '第1委員会室' },
    { name: '議会事務局', title: '書記', role: 'secretariat', site: '第1委員会室' },
  ],
});

// Joins over a WebSocket with @token; resolves to the first message (welcome or error).
function wsJoin(server, meeting, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, 'kaigi');
    const timer = setTimeout(() => reject(new Error('no answer to join')), 5000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', meeting, token, media: false })));
    ws.on('message', (data) => {
      clearTimeout(timer);
      resolve({ ws, msg: JSON.parse(String(data)) });
    });
    ws.on('error', reject);
  });
}

await runTest('rest', async () => {
  const server = await new Server().start();
  const raw = (method, path, body, opts = {}) => server.api(method, path, body, { raw: true, ...opts });

  // ---- sign-in ----
  let r = await raw('GET', '/api/meetings', undefined, { auth: false });
  check(r.status === 401 && r.json.error.code === 'unauthorized', 'secretariat routes need a sign-in');
  r = await raw('POST', '/api/login', { name: 'admin', password: 'not it at all' }, { auth: false });
  check(r.status === 401 && r.json.error.code === 'bad-login', 'a wrong password is refused');
  r = await raw('POST', '/api/login', { name: 'nobody', password: 'not it at all' }, { auth: false });
  check(r.status === 401 && r.json.error.code === 'bad-login', 'an unknown name gets the same answer');
  const add = spawnSync(serverBinary, ['--data-dir', server.dataDir, '--add-account', 'jimukyoku'], { input: 'kaigi-test-pass\n' });
  check(add.status === 0, `--add-account works while the server runs: ${add.stderr}`);
  const bad = spawnSync(serverBinary, ['--data-dir', server.dataDir, '--add-account', 'x y'], { input: 'kaigi-test-pass\n' });
  check(bad.status === 2 && String(bad.stderr).includes('--add-account'), 'a bad account name is refused');
  r = await raw('POST', '/api/login', { name: 'jimukyoku', password: 'kaigi-test-pass' }, { auth: false });
  check(r.status === 200 && r.json.account.name === 'jimukyoku', 'the new account signs in');
  check(/HttpOnly/.test(r.headers.get('set-cookie')) && /SameSite=Strict/.test(r.headers.get('set-cookie')), 'the session cookie is HttpOnly and SameSite=Strict');
  const other = r.json.session;
  const me = await fetch(`${server.base}/api/me`, { headers: { cookie: `kaigi_session=${other}` } });
  check(me.status === 200, 'the cookie is a session');
  await fetch(`${server.base}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' } });
  const after = await fetch(`${server.base}/api/me`, { headers: { authorization: `Bearer ${other}` } });
  check(after.status === 401, 'signed out: the session no longer works');

  // ---- cross-site forms and bad documents ----
  const form = await fetch(`${server.base}/api/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'text/plain' },
    body: JSON.stringify(doc()),
  });
  check(form.status === 415, `a text/plain body (what a foreign form can send) is refused (${form.status})`);
  const mistakes = [
    [(d) => (d.title = ''), 'title'],
    [(d) => (d.scheduled_at = '2026-12-01 10:00'), 'scheduled_at'],
    [(d) => (d.visibility_reason = ''), 'visibility_reason'],
    [(d) => d.venues.push({ kind: 'main', name: '別室' }), 'venues'],
    [(d) => (d.roster[1].role = 'king'), 'roster[1].role'],
    [(d) => (d.roster[2].site = 'どこか'), 'roster[2].site'],
    [(d) => (d.roster[0].role = 'member'), 'roster'],
  ];
  for (const [spoil, field] of mistakes) {
    const d = doc();
    spoil(d);
    r = await raw('POST', '/api/meetings', d);
    check(r.status === 400 && r.json.error.code === 'invalid' && r.json.error.message.startsWith(field), `${field}: refused naming the field (${r.json?.error?.message})`);
  }
  r = await fetch(`${server.base}/api/meetings`, { method: 'POST', headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'application/json' }, body: '{"title": ' });
  check(r.status === 400 && (await r.json()).error.code === 'bad-json', 'malformed JSON -> bad-json');

  // ---- create, read, update ----
  const created = await server.api('POST', '/api/meetings', doc(), { expect: 201 });
  check(created.id > 0 && created.state === 'scheduled' && created.roster.every((p) => p.id > 0), 'created with ids, scheduled');
  const list = await server.api('GET', '/api/meetings');
  check(list.meetings.some((m) => m.id === created.id && m.visibility === 'closed'), 'listed');
  const item = created.agenda[0].id;
  const pdf = Buffer.from('%PDF-1.4\n% kaigi test\n');
  const up = await fetch(`${server.base}/api/meetings/${created.id}/agenda/${item}/materials?name=${encodeURIComponent('資料1 給与条例.pdf')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'application/pdf' },
    body: pdf,
  });
  const mat = await up.json();
  check(up.status === 201 && mat.name === '資料1 給与条例.pdf' && mat.size === pdf.length, `material stored (${up.status} ${JSON.stringify(mat)})`);
  const evil = await fetch(`${server.base}/api/meetings/${created.id}/agenda/${item}/materials?name=${encodeURIComponent('../../etc/passwd')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'application/pdf' },
    body: pdf,
  });
  check(evil.status === 400, 'a file name with a path is refused');
  const edited = structuredClone(await server.api('GET', `/api/meetings/${created.id}`));
  edited.title = '総務常任委員会（変更）';
  edited.roster = edited.roster.filter((p) => p.name !== '佐藤');
  edited.roster.push({ name: '高橋', title: '委員', role: 'member', site: 'オンライン' });
  const put = await server.api('PUT', `/api/meetings/${created.id}`, edited);
  check(put.title === '総務常任委員会（変更）', 'updated');
  check(put.roster.find((p) => p.name === '鈴木').id === created.roster.find((p) => p.name === '鈴木').id, 'kept people keep their ids');
  check(!put.roster.some((p) => p.name === '佐藤') && put.roster.some((p) => p.name === '高橋' && p.id > 0), 'removed and added people');
  check(put.agenda[0].materials[0]?.id === mat.id, 'the kept agenda item keeps its material');

  // ---- links, tokens and materials ----
  const { links } = await server.api('POST', `/api/meetings/${created.id}/links`, { hours: 2 });
  r = await raw('POST', `/api/meetings/${created.id}/links`, { hours: 9999 });
  check(r.status === 400, 'link lifetime is bounded');
  const tokenOf = (name) => links.find((l) => l.name === name).token;
  check(links.some((l) => l.kind === 'venue' && l.role === 'venue' && l.name === '北支所'), 'venues get links');
  check(links.some((l) => l.kind === 'console' && l.role === 'secretariat'), 'the console link');
  const dl = await fetch(`${server.base}/api/materials/${mat.id}?t=${encodeURIComponent(tokenOf('鈴木'))}`);
  check(dl.status === 200 && Buffer.from(await dl.arrayBuffer()).equals(pdf), 'a member downloads the material with the join token');
  check(/filename\*=UTF-8''/.test(dl.headers.get('content-disposition')), 'with its name');
  const { token: viewerToken } = await server.api('POST', `/api/public/meetings/${created.id}/token`, {}, { auth: false });
  const dlv = await fetch(`${server.base}/api/materials/${mat.id}?t=${encodeURIComponent(viewerToken)}`);
  check(dlv.status === 401, 'a public viewer token does not open materials');
  const dlf = await fetch(`${server.base}/api/materials/${mat.id}?t=kaigi1.e30.AAAA`);
  check(dlf.status === 401, 'a forged token does not open materials');

  const chair = await wsJoin(server, created.id, tokenOf('田中 委員長'));
  check(chair.msg.type === 'welcome' && chair.msg.you.role === 'chair' && chair.msg.you.name === '田中 委員長', 'the chair link joins as chair');
  const gone = await wsJoin(server, created.id, links.find((l) => l.name === '佐藤')?.token ?? tokenOf('鈴木'));
  check(gone.msg.type === 'welcome', 'a member joins');
  gone.ws.close();
  // The chair opens the meeting: the prepared part is now fixed.
  chair.ws.send(JSON.stringify({ type: 'state', to: 'open' }));
  // The snapshot that follows the opening (another may come first: the member who left).
  await new Promise((res) =>
    chair.ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'meeting' && m.meeting?.state !== 'scheduled') res();
    }),
  );
  const fresh = await server.api('GET', `/api/meetings/${created.id}`);
  check(fresh.state === 'closed', `opened into its default visibility (非公開): ${fresh.state}`);
  r = await raw('PUT', `/api/meetings/${created.id}`, fresh);
  check(r.status === 409 && r.json.error.code === 'meeting-started', 'no edits once opened');
  r = await raw('DELETE', `/api/materials/${mat.id}`);
  check(r.status === 409, 'no material deletion once opened');
  r = await raw('DELETE', `/api/meetings/${created.id}`);
  check(r.status === 409, 'no deletion of a live meeting');
  chair.ws.close();

  // ---- bounds ----
  r = await raw('PUT', `/api/meetings/${created.id}/attendance/99999`, { in_room: true });
  check(r.status === 404, 'attendance of someone not on the roster -> 404');
  r = await raw('PUT', `/api/meetings/${created.id}/attendance/${fresh.roster[1].id}`, { in_room: 'yes' });
  check(r.status === 400, 'attendance needs a boolean');
  r = await raw('POST', '/api/meetings', { title: 'x'.repeat(2 * 1024 * 1024) });
  check(r.status === 413, `a 2 MiB document -> 413 (${r.status})`);
  r = await raw('GET', '/api/nothing-here');
  check(r.status === 404, 'unknown path -> 404');
  r = await raw('PATCH', `/api/meetings/${created.id}`, {});
  check(r.status === 405, 'wrong method -> 405');
  r = await raw('GET', '/api/meetings/0');
  check(r.status === 404, 'meeting 0 -> 404');
  r = await raw('GET', '/api/meetings/424242');
  check(r.status === 404 && r.json.error.code === 'not-found', 'no such meeting -> 404 not-found');
  check(server.alive() && server.criticals().length === 0, 'the server is alive, no criticals');
  log('REST API: all checks passed');
});
