// minutes.test.mjs: the minutes routes of docs/meetings-api.md ("Minutes") against a real
// kaigi-server process: the draft with agenda, roster and decisions; corrections of one
// statement (text, speaker, merge, split, retract) recorded in its history under the
// account's name; filler removal (preview, then applied); the draft's states; the members'
// review with their join tokens (their own statements only); clips; exports, and the public
// copy once published. Every refusal is checked to change nothing. Exits 0 on pass.

import fs from 'node:fs';
import path from 'node:path';
import { Server, check, log, runTest } from '../browser/lib.mjs';
import { committee, insertUtterances, runAndAdjourn, writeClip } from './minutes-fixture.mjs';

await runTest('minutes-api', async () => {
  const server = await new Server().start();
  const raw = (method, p, body, opts = {}) => server.api(method, p, body, { raw: true, ...opts });
  const refused = async (method, p, body, status, code, what, opts = {}) => {
    const r = await raw(method, p, body, opts);
    check(r.status === status && r.json?.error?.code === code && r.json.error.message, `${what}: ${status} ${code} (got ${r.status} ${JSON.stringify(r.json)})`);
    return r;
  };

  const m = await server.api('POST', '/api/meetings', committee(), { expect: 201 });
  const M = `/api/meetings/${m.id}/minutes`;
  const person = (name) => m.roster.find((p) => p.name === name).id;
  const [item1, item2] = m.agenda.map((a) => a.id);
  const ids = insertUtterances(server, m.id, [
    { item: item1, speaker: person('田中'), name: '田中', text: 'ただいまから委員会を開会します。' },
    { item: item1, speaker: person('鈴木'), name: '鈴木', venue: 'オンライン', text: 'えー、本日は晴天です。' },
    { item: item1, speaker: person('鈴木'), name: '鈴木', venue: 'オンライン', text: '続けて申し上げます。' },
    { item: item1, speaker: person('佐藤'), name: '佐藤', text: 'あの件について、あのー、伺います。' },
    { item: item2, speaker: person('佐藤'), name: '佐藤', text: '非公開で申し上げる人事の話です。', public: false },
    { item: item2, speaker: person('田中'), name: '田中', text: '以上で閉会します。' },
  ]);
  const [uOpen, uSuzuki1, uSuzuki2, uSato, uClosed, uClose] = ids;
  const U = (id) => `${M}/utterances/${id}`;
  const get = async () => server.api('GET', M);
  const byId = async (id) => (await get()).utterances.find((u) => u.id === id);

  // ---- reading ----
  await refused('GET', M, undefined, 401, 'unauthorized', 'the draft needs a sign-in', { auth: false });
  let doc = await get();
  check(doc.draft.state === 'draft' && doc.meeting.id === m.id, 'a new draft');
  check(doc.utterances.map((u) => u.id).join() === ids.join(), 'every statement, in time order');
  const u2 = doc.utterances[1];
  check(u2.speaker === person('鈴木') && u2.speaker_name === '鈴木' && u2.item === item1 && u2.venue === 'オンライン', 'speaker, item, venue');
  check(u2.state === 'transcribed' && u2.public === true && u2.retracted === false && u2.confirmed_by === null && u2.clip === false, 'state, flags, no clip yet');
  check(u2.end_us > u2.start_us && Math.abs(u2.confidence - 0.9) < 1e-9, 'times and confidence');
  check(doc.utterances[4].public === false, 'the closed-session statement is marked');
  check(doc.agenda.map((a) => a.id).join() === [item1, item2].join() && doc.roster.length === 4, 'agenda and roster for the headings and the speaker list');
  await refused('GET', `/api/meetings/424242/minutes`, undefined, 404, 'not-found', 'no such meeting');

  // ---- bad input changes nothing ----
  const patchRaw = async (id, text) =>
    fetch(server.base + U(id), { method: 'PATCH', headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'application/json' }, body: text });
  let res = await patchRaw(uSuzuki1, '{"text": ');
  let j = await res.json();
  check(res.status === 400 && j.error.code === 'bad-json' && j.error.message, 'malformed JSON -> 400 bad-json with a message');
  await refused('PATCH', U(uSuzuki1), {}, 400, 'invalid', 'an empty patch');
  await refused('PATCH', U(uSuzuki1), [1, 2], 400, 'invalid', 'an array body');
  await refused('PATCH', U(uSuzuki1), { text: '   ' }, 400, 'invalid', 'a blank text');
  await refused('PATCH', U(uSuzuki1), { text: 42 }, 400, 'invalid', 'a text that is not a string');
  await refused('PATCH', U(uSuzuki1), { text: 'x'.repeat(20001) }, 400, 'invalid', 'a text too long');
  await refused('PATCH', U(uSuzuki1), { text: '変更', speaker: 999999 }, 400, 'invalid', 'a speaker not on the roster (with a good text)');
  await refused('PATCH', U(uSuzuki1), { speaker: null }, 400, 'invalid', 'no speaker and no name');
  await refused('PATCH', U(999999), { text: 'x' }, 404, 'not-found', 'a statement of no meeting');
  const other = await server.api('POST', '/api/meetings', { ...committee(), title: '別の会議' }, { expect: 201 });
  await refused('PATCH', `/api/meetings/${other.id}/minutes/utterances/${uSuzuki1}`, { text: 'x' }, 404, 'not-found', 'a statement of another meeting');
  await refused('PATCH', U(uSuzuki1), { text: 'x' }, 401, 'unauthorized', 'edits need a sign-in', { auth: false });
  check((await byId(uSuzuki1)).text === 'えー、本日は晴天です。' && (await byId(uSuzuki1)).state === 'transcribed', 'nothing changed by the refused edits');

  // ---- one statement ----
  let u = await server.api('PATCH', U(uSuzuki2), { text: '続けて申し上げます。以上です。', was: '続けて申し上げます。' });
  check(u.text === '続けて申し上げます。以上です。' && u.state === 'edited', `text edited: ${JSON.stringify(u)}`);
  await refused('PATCH', U(uSuzuki2), { text: '別の人の修正', was: '続けて申し上げます。' }, 409, 'changed', 'a save from a stale text (someone else saved meanwhile)');
  await refused('PATCH', U(uSuzuki2), { text: 'x', was: 5 }, 400, 'invalid', 'was must be a string');
  check((await byId(uSuzuki2)).text === '続けて申し上げます。以上です。', 'the first save stands');
  u = await server.api('PATCH', U(uSato), { speaker: person('田中') });
  check(u.speaker === person('田中') && u.speaker_name === '田中' && u.state === 'edited', 'speaker set from the roster');
  u = await server.api('PATCH', U(uSato), { speaker: person('佐藤') });
  check(u.speaker === person('佐藤') && u.speaker_name === '佐藤', 'and back');
  u = await server.api('PATCH', U(uOpen), { speaker: null, speaker_name: '傍聴人' });
  check(u.speaker === null && u.speaker_name === '傍聴人', 'a speaker not on the roster, by name');
  u = await server.api('PATCH', U(uOpen), { speaker: person('田中') });
  check(u.speaker === person('田中') && u.speaker_name === '田中', 'back to the chair');
  let { history } = await server.api('GET', `${U(uSuzuki2)}/history`);
  const textRow = history.find((h) => h.field === 'text');
  check(textRow && textRow.who === 'a1' && textRow.who_name === 'admin' && textRow.old === '続けて申し上げます。' && textRow.new === '続けて申し上げます。以上です。' && textRow.at_us > 0, `the history names the account: ${JSON.stringify(history)}`);

  await refused('POST', `${U(uSuzuki1)}/merge`, { with: uSato }, 400, 'invalid', 'merging statements that are not next to each other');
  await refused('POST', `${U(uClose)}/merge`, {}, 400, 'invalid', 'merging the last statement with nothing');
  await refused('POST', `${U(uSuzuki1)}/merge`, { with: 'next' }, 400, 'invalid', 'a merge partner that is not an id');
  // Each part has its clip; the merged statement plays both.
  const clipFile = (id) => path.join(server.dataDir, 'meetings', String(m.id), 'clips', `${id}.wav`);
  const pcmBytes = (id) => fs.statSync(clipFile(id)).size - 44;
  const part1 = writeClip(server, m.id, uSuzuki1, 'Good morning.').length - 44;
  const part2 = writeClip(server, m.id, uSuzuki2, 'Let me go on.').length - 44;
  u = await server.api('POST', `${U(uSuzuki1)}/merge`, {});
  check(u.id === uSuzuki1 && u.text === 'えー、本日は晴天です。続けて申し上げます。以上です。', `merged with the next: ${u.text}`);
  doc = await get();
  check(!doc.utterances.some((x) => x.id === uSuzuki2) && doc.utterances.length === 5, 'the second statement is gone');
  check(u.clip === true && pcmBytes(uSuzuki1) === part1 + part2 && !fs.existsSync(clipFile(uSuzuki2)), `the clips are joined (${pcmBytes(uSuzuki1)} = ${part1} + ${part2})`);
  ({ history } = await server.api('GET', `${U(uSuzuki1)}/history`));
  check(history.some((h) => h.field === 'merge' && h.old === `${uSuzuki1}+${uSuzuki2}`) && history.some((h) => h.field === 'text' && h.new.endsWith('以上です。')), 'the merge and the second statement\'s history are in the history');

  await refused('POST', `${U(uSuzuki1)}/split`, { offset: 0 }, 400, 'invalid', 'a split at 0');
  await refused('POST', `${U(uSuzuki1)}/split`, { offset: 999 }, 400, 'invalid', 'a split past the end');
  await refused('POST', `${U(uSuzuki1)}/split`, {}, 400, 'invalid', 'a split without an offset');
  const split = await server.api('POST', `${U(uSuzuki1)}/split`, { offset: 'えー、本日は晴天です。'.length });
  check(split.first.text === 'えー、本日は晴天です。' && split.second.text === '続けて申し上げます。以上です。' && split.second.speaker === person('鈴木'), 'split at the cursor');
  check(split.second.start_us === split.first.end_us && split.second.id > uClose, 'time divided; the second part is new');
  const uSuzuki2b = split.second.id;
  const cut = 'えー、本日は晴天です。'.length / u.text.length;
  const [head, tail] = [pcmBytes(uSuzuki1), pcmBytes(uSuzuki2b)];
  check(split.first.clip && split.second.clip && head + tail === part1 + part2 && Math.abs(head / (head + tail) - cut) < 0.001 && head % 2 === 0, `the clip is cut as the text (${head} + ${tail}, at ${cut.toFixed(3)})`);

  await refused('POST', `${U(uSato)}/retract`, { retracted: 'yes' }, 400, 'invalid', 'retracted must be a boolean');
  u = await server.api('POST', `${U(uSato)}/retract`, {});
  check(u.retracted === true, 'retracted');
  u = await server.api('POST', `${U(uSato)}/retract`, { retracted: false });
  check(u.retracted === false, 'retraction taken back');

  // ---- fillers ----
  await refused('POST', `${M}/fillers`, { preview: 'x' }, 400, 'invalid', 'preview must be a boolean');
  const preview = await server.api('POST', `${M}/fillers`, { preview: true });
  check(preview.applied === false && preview.removed === 2, `preview: ${JSON.stringify(preview)}`);
  check(preview.changes.some((c) => c.id === uSuzuki1 && c.new === '本日は晴天です。') && preview.changes.some((c) => c.id === uSato && c.new === 'あの件について、伺います。'), 'the preview shows old and new text; あの件 stays');
  check((await byId(uSuzuki1)).text === 'えー、本日は晴天です。', 'a preview changes nothing');
  const applied = await server.api('POST', `${M}/fillers`, {});
  check(applied.applied === true && applied.removed === 2, 'fillers removed');
  check((await byId(uSuzuki1)).text === '本日は晴天です。' && (await byId(uSato)).text === 'あの件について、伺います。', 'stored without fillers');
  ({ history } = await server.api('GET', `${U(uSuzuki1)}/history`));
  check(history.some((h) => h.field === 'text' && h.old === 'えー、本日は晴天です。' && h.new === '本日は晴天です。' && h.who_name === 'admin'), 'filler removal is in the history');
  check((await server.api('POST', `${M}/fillers`, {})).removed === 0, 'a second run finds nothing');

  // ---- states before the meeting is over ----
  await refused('POST', `${M}/state`, { to: 'later' }, 400, 'invalid', 'an unknown state');
  await refused('POST', `${M}/state`, { to: 'review' }, 409, 'meeting-not-adjourned', 'no review while the meeting is not adjourned');
  const { links } = await server.api('POST', `/api/meetings/${m.id}/links`, { hours: 48 });
  const token = (name) => links.find((l) => l.name === name).token;
  await refused('GET', `/api/meetings/${m.id}/review?t=${encodeURIComponent(token('鈴木'))}`, undefined, 409, 'not-in-review', 'a member sees that the draft is not in review', { auth: false });
  await runAndAdjourn(server, m.id, token('田中'), item1);
  doc = await get();
  check(doc.decisions.length === 1 && doc.decisions[0].item === item1 && doc.decisions[0].kind === 'approved', 'the decision is in the draft');
  await refused('POST', `${M}/state`, { to: 'published' }, 409, 'wrong-state', 'draft cannot jump to published');
  let draft = await server.api('POST', `${M}/state`, { to: 'review' });
  check(draft.state === 'review', 'in review');

  // ---- the members' review ----
  const memberApi = async (method, p, name, body) => {
    const headers = { authorization: `Bearer ${token(name)}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(server.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  await refused('GET', `/api/meetings/${m.id}/review`, undefined, 401, 'unauthorized', 'the review needs a join token', { auth: false });
  await refused('GET', `/api/meetings/${m.id}/review?t=kaigi1.e30.AAAA`, undefined, 401, 'token-invalid', 'a forged token', { auth: false });
  await refused('GET', `/api/meetings/${other.id}/review?t=${encodeURIComponent(token('鈴木'))}`, undefined, 401, 'token-wrong-meeting', 'a token of another meeting', { auth: false });
  const venueToken = links.find((l) => l.kind === 'venue').token;
  await refused('GET', `/api/meetings/${m.id}/review?t=${encodeURIComponent(venueToken)}`, undefined, 403, 'forbidden', 'a venue does not review', { auth: false });
  const { token: viewer } = await server.api('POST', `/api/public/meetings/${m.id}/token`, {}, { auth: false });
  await refused('GET', `/api/meetings/${m.id}/review?t=${encodeURIComponent(viewer)}`, undefined, 403, 'forbidden', 'a viewer does not review', { auth: false });
  let r = await memberApi('GET', `/api/meetings/${m.id}/review`, '鈴木');
  check(r.status === 200 && r.json.you === person('鈴木') && r.json.draft.state === 'review' && r.json.utterances.length === 6, `鈴木 reads the draft (Bearer): ${r.status}`);
  r = await raw('GET', `/api/meetings/${m.id}/review?t=${encodeURIComponent(token('佐藤'))}`, undefined, { auth: false });
  check(r.status === 200 && r.json.you === person('佐藤'), '佐藤 reads it with ?t=');
  r = await memberApi('POST', `/api/meetings/${m.id}/review/utterances/${uSato}/confirm`, '鈴木', {});
  check(r.status === 403 && r.json.error.code === 'forbidden', `鈴木 cannot confirm 佐藤's statement: ${r.status}`);
  check((await byId(uSato)).state === 'edited', 'it stays unconfirmed');
  r = await memberApi('POST', `/api/meetings/${m.id}/review/utterances/${uSuzuki1}/confirm`, '鈴木', {});
  check(r.status === 200 && r.json.state === 'confirmed' && r.json.confirmed_by === person('鈴木') && r.json.confirmed_at_us > 0, `鈴木 confirms their own: ${JSON.stringify(r.json)}`);
  check((await byId(uSuzuki1)).state === 'confirmed', 'the store says confirmed');
  ({ history } = await server.api('GET', `${U(uSuzuki1)}/history`));
  check(history.at(-1).who === `r${person('鈴木')}` && history.at(-1).who_name === '鈴木' && history.at(-1).new === 'confirmed', 'the confirmation is in the history under the member');
  r = await memberApi('POST', `/api/meetings/${m.id}/review/utterances/999999/confirm`, '鈴木', {});
  check(r.status === 404, 'confirming no statement -> 404');

  // ---- clips ----
  const wav = writeClip(server, m.id, uSuzuki1, 'Today the weather is fine.');
  await refused('GET', `${M}/clips/${uSato}`, undefined, 404, 'not-found', 'a statement without a clip');
  res = await fetch(`${server.base}${M}/clips/${uSuzuki1}`, { headers: { authorization: `Bearer ${await server.signIn()}` } });
  check(res.status === 200 && res.headers.get('content-type') === 'audio/wav' && Buffer.from(await res.arrayBuffer()).equals(wav), 'the secretariat gets the clip');
  check((await byId(uSuzuki1)).clip === true, 'the draft says it has a clip');
  res = await fetch(`${server.base}${M}/clips/${uSuzuki1}?t=${encodeURIComponent(token('鈴木'))}`);
  check(res.status === 200 && Buffer.from(await res.arrayBuffer()).equals(wav), 'the speaker gets their own clip');
  writeClip(server, m.id, uSato, 'A question.');
  await refused('GET', `${M}/clips/${uSato}?t=${encodeURIComponent(token('鈴木'))}`, undefined, 403, 'forbidden', 'not someone else\'s clip', { auth: false });
  await refused('GET', `${M}/clips/${uSuzuki1}`, undefined, 401, 'unauthorized', 'not without a sign-in or token', { auth: false });

  // ---- exports ----
  const exportOf = async (query, auth = true) => {
    const headers = auth ? { authorization: `Bearer ${await server.signIn()}` } : {};
    const resp = await fetch(`${server.base}${query}`, { headers });
    return { status: resp.status, type: resp.headers.get('content-type'), disposition: resp.headers.get('content-disposition'), body: Buffer.from(await resp.arrayBuffer()) };
  };
  let e = await exportOf(`${M}/export?format=text&lang=ja`);
  check(e.status === 200 && /text\/plain/.test(e.type) && /minutes-\d+\.txt/.test(e.disposition), `text export: ${e.status} ${e.type} ${e.disposition}`);
  let text = e.body.toString('utf8');
  check(text.includes('総務常任委員会') && text.includes('本日は晴天です。') && text.includes('非公開で申し上げる人事の話です。'), 'the internal copy has every statement');
  e = await exportOf(`${M}/export?format=text&public=1`);
  text = e.body.toString('utf8');
  check(!text.includes('非公開で申し上げる人事の話です。') && text.includes('一部非公開') && text.includes('本日は晴天です。'), 'the public copy leaves the closed statement out and says 一部非公開');
  e = await exportOf(`${M}/export?format=docx`);
  check(e.status === 200 && e.body.subarray(0, 2).toString() === 'PK', 'docx is a zip');
  e = await exportOf(`${M}/export?format=json&lang=en`);
  check(e.status === 200 && JSON.parse(e.body).utterances.length === 6, 'json export');
  e = await exportOf(`${M}/export?format=pdf`);
  check(e.status === 400 && JSON.parse(e.body).error.message.startsWith('format'), 'an unknown format -> 400 naming it');
  e = await exportOf(`${M}/export?format=text&lang=fr`);
  check(e.status === 400, 'an unknown language -> 400');
  e = await exportOf(`${M}/export?format=text`, false);
  check(e.status === 401, 'the internal copy needs a sign-in');
  e = await exportOf(`/api/public/meetings/${m.id}/minutes?format=text`, false);
  check(e.status === 404 && JSON.parse(e.body).error.code === 'not-published', 'no public copy before publication');

  // ---- publication: final ----
  draft = await server.api('POST', `${M}/state`, { to: 'published', public_note: '令和8年12月1日 確定' });
  check(draft.state === 'published' && draft.published_at_us > 0 && draft.public_note === '令和8年12月1日 確定', 'published');
  const before = JSON.stringify((await get()).utterances);
  await refused('PATCH', U(uSato), { text: '後から変更' }, 409, 'published', 'no edits once published');
  await refused('PATCH', U(uSato), { speaker: person('田中') }, 409, 'published', 'no speaker change once published');
  await refused('POST', `${U(uOpen)}/merge`, {}, 409, 'published', 'no merge once published');
  await refused('POST', `${U(uSuzuki2b)}/split`, { offset: 2 }, 409, 'published', 'no split once published');
  await refused('POST', `${U(uSato)}/retract`, {}, 409, 'published', 'no retraction once published');
  await refused('POST', `${M}/fillers`, {}, 409, 'published', 'no filler removal once published');
  await refused('POST', `${M}/state`, { to: 'draft' }, 409, 'published', 'publication is final');
  r = await memberApi('POST', `/api/meetings/${m.id}/review/utterances/${uSuzuki2b}/confirm`, '鈴木', {});
  check(r.status === 409 && r.json.error.code === 'published', 'no confirmation once published');
  check(JSON.stringify((await get()).utterances) === before, 'nothing changed after publication');
  e = await exportOf(`/api/public/meetings/${m.id}/minutes?format=text`, false);
  text = e.body.toString('utf8');
  check(e.status === 200 && /minutes-\d+-public\.txt/.test(e.disposition) && text.includes('一部非公開') && !text.includes('人事の話') && text.includes('本日は晴天です。'), 'anyone gets the public copy');
  e = await exportOf(`/api/public/meetings/${m.id}/minutes?format=md&lang=en`, false);
  check(e.status === 200 && !e.body.toString('utf8').includes('人事の話'), 'in every format');
  check(fs.existsSync(path.join(server.dataDir, 'kaigi.db')) && server.alive() && server.criticals().length === 0, 'the server is alive, no criticals');
  log('minutes API: all checks passed');
});
