// minutes-fixture.mjs: what the minutes tests (api/minutes, browser/minutes-editor) share: a
// committee meeting made through the REST API, statements written into the server's own
// store with the sqlite3 command (as recognition would store them: tests/api has no
// recogniser), the chair running the meeting over the signalling WebSocket, and clips.
//
// The server keeps its SQLite store in WAL mode, so the sqlite3 command may write beside it.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { check, waitFor } from '../browser/lib.mjs';

export const committee = () => ({
  body: 'テスト町議会',
  title: '総務常任委員会',
  number: '第5回',
  scheduled_at: '2026-11-20T10:00:00+09:00',
  visibility: 'public',
  venues: [
    { kind: 'main', name: '第1委員会室' },
    { kind: 'online', name: 'オンライン' },
  ],
  agenda: [
    { number: '議案第1号', title: '町道の認定について' },
    { number: '報告1', title: '人事案件' },
  ],
  roster: [
    { name: '田中', title: '委員長', role: 'chair', site: '第1委員会室' },
    { name: '鈴木', title: '委員', role: 'member', site: 'オンライン' },
    { name: '佐藤', title: '委員', role: 'member', site: '第1委員会室' },
    { name: '議会事務局', title: '書記', role: 'secretariat', site: '第1委員会室' },
  ],
});

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

// Stores @rows ({item, speaker (roster id or null), name, text, public, offsetS}) as
// transcribed statements of @meeting, @offsetS seconds after @baseUs. Returns their ids.
export function insertUtterances(server, meeting, rows, baseUs = Date.now() * 1000) {
  const values = rows.map((r, i) => {
    const start = baseUs + Math.round((r.offsetS ?? i * 10) * 1e6);
    return `(${meeting}, ${r.item ?? 'NULL'}, ${r.speaker ?? 'NULL'}, ${q(r.name)}, ${q(r.venue ?? '')}, ${start}, ${start + 5e6}, ${q(r.text)}, ${r.confidence ?? 0.9}, ${r.public === false ? 0 : 1})`;
  });
  const sql =
    'INSERT INTO utterance (meeting_id, item_id, speaker_id, speaker_name, venue, start_us, end_us, text, confidence, public) VALUES ' +
    values.join(', ') +
    `; SELECT id FROM utterance WHERE meeting_id = ${meeting} ORDER BY id DESC LIMIT ${rows.length};`;
  const out = execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'kaigi.db'), sql], { encoding: 'utf8' });
  const ids = out.trim().split('\n').map(Number).reverse();
  check(ids.length === rows.length && ids.every((n) => n > 0), `sqlite3 stored the statements: ${out}`);
  return ids;
}

// A spoken WAV (flite, 16 kHz mono like the server's clips) as DATA/meetings/M/clips/U.wav.
export function writeClip(server, meeting, utterance, text) {
  const dir = path.join(server.dataDir, 'meetings', String(meeting), 'clips');
  fs.mkdirSync(dir, { recursive: true });
  const raw = path.join(dir, `raw-${utterance}.wav`);
  const out = path.join(dir, `${utterance}.wav`);
  execFileSync('flite', ['-voice', 'rms', '-t', text, '-o', raw], { timeout: 30000 });
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out], { timeout: 30000 });
  fs.rmSync(raw);
  return fs.readFileSync(out);
}

// A console on the signalling WebSocket with @token (no media); send() and waitMessage().
export async function wsConsole(server, meeting, token) {
  const ws = new WebSocket(server.wsUrl, 'kaigi');
  const seen = [];
  ws.on('message', (d) => seen.push(JSON.parse(String(d))));
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  ws.send(JSON.stringify({ type: 'join', meeting, token, media: false }));
  await waitFor(() => seen.find((m) => m.type === 'welcome' || m.type === 'error'), 5000, 'welcome');
  check(seen[0].type === 'welcome', `the console joined: ${JSON.stringify(seen[0])}`);
  return {
    ws,
    seen,
    send: (type, members = {}) => ws.send(JSON.stringify({ type, ...members })),
    close: () => ws.close(),
  };
}

// The chair opens the meeting, takes up item @item, records 了承 on it, and adjourns; waits
// until the store says adjourned.
export async function runAndAdjourn(server, meeting, chairToken, item) {
  const chair = await wsConsole(server, meeting, chairToken);
  const meetingState = () => chair.seen.filter((m) => m.type === 'meeting').at(-1)?.meeting;
  chair.send('state', { to: 'open' });
  await waitFor(() => ['public', 'closed'].includes(meetingState()?.state), 5000, 'the meeting to open');
  chair.send('agenda', { item });
  await waitFor(() => meetingState()?.item === item, 5000, 'the agenda item');
  chair.send('decision', { item, kind: 'approved', text: '原案のとおり了承' });
  await waitFor(() => meetingState()?.decisions?.length === 1, 5000, 'the decision');
  chair.send('state', { to: 'adjourned' });
  await waitFor(async () => (await server.api('GET', `/api/meetings/${meeting}`)).state === 'adjourned', 8000, 'the meeting to be adjourned');
  chair.close();
}
