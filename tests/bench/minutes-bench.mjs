// minutes-bench.mjs: how well the minutes hear a meeting, measured through the whole chain.
//
// A browser meeting: the chair (silent microphone) opens it, then three members join, each a
// Chromium whose fake microphone plays flite speech in a different voice (rms, slt, awb).
// They take turns, as in a meeting: five rounds, one sentence each, 2.5 s between turns;
// each file is made for its browser so that the speech begins at the same moment in all
// three (40 s after the first joins), and ends in a long silence (Chromium loops the file;
// the measurement ends before it comes round).
// The audio goes the way a member's does: Opus over WebRTC, the server's decoder, its speech
// detector, the recogniser (the configured engine; the embedded default is PocketSphinx), the
// store, and the `caption` message to every page.
// Printed per speaker:
//   - word error rate: sclite (Debian's sctk) on what the store holds for the speaker against
//     the sentences they said;
//   - speaker attribution: each stored statement is matched to the speaker whose sentences
//     share most of its words; correct if that is the speaker it is attributed to;
//   - caption latency: from the end of speech as the server heard it (the statement's end,
//     the detector's last voiced frame, on the server's wall clock) to the caption shown on the
//     chair's page (same machine, same clock), p50 and p95.
// The four Chromiums on this 2-core machine are reniced to 15 once everyone has joined: they
// stand in for the members' own computers (the recognisers run at nice 10).
// A benchmark, not a test: meson does not run it. Targets (issue 7): WER < 15 % with the rms
// voice, attribution 100 % for online members, caption latency p95 < 3 s.
//
//   KAIGI_SERVER=build/server/kaigi-server node tests/bench/minutes-bench.mjs

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

import {
  Server,
  check,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from '../browser/lib.mjs';

const SPEAKERS = [
  {
    name: 'Aoki',
    voice: 'rms',
    sentences: [
      'I would like to ask about the schedule for the road repairs this year.',
      'Many residents have written to the council about the bridge near the station.',
      'Could the department explain why the work was delayed until the autumn?',
      'I hope the town will publish the plan before the next meeting.',
      'Thank you for your answer.',
    ],
  },
  {
    name: 'Baba',
    voice: 'slt',
    sentences: [
      'The committee will now consider the budget for the new library building.',
      'The cost of the project has increased by ten percent since last year.',
      'We propose to open the library on weekends from the first of April.',
      'The school lunch program will be funded by the national government.',
      'Are there any other questions on this item?',
    ],
  },
  {
    name: 'Chiba',
    voice: 'awb',
    sentences: [
      'The number of visitors to the museum increased during the summer.',
      'We have received many comments from residents about the park.',
      'The new bus route will connect the hospital with the city hall.',
      'I agree with the proposal, but the cost should be explained to the public.',
      'That is all from me.',
    ],
  },
];
const GAP_S = 2.5; // between one speaker's sentence and the next speaker's
const START_S = 40; // speech begins this long after the first member's browser starts
const TAIL_S = 60;

const words = (s) => s.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);
const seconds = (file) => Number(execFileSync('soxi', ['-D', file]).toString());

// Each sentence as a 48 kHz mono WAV, and the turns: round r, speaker k, in order, each
// beginning GAP_S after the one before ended (offsets from the start of speech).
function prepare(dir) {
  let at = 0;
  for (const sp of SPEAKERS) sp.turns = [];
  for (let r = 0; r < 5; r++) {
    for (const sp of SPEAKERS) {
      const raw = path.join(dir, `${sp.name}-${r}-raw.wav`);
      const file = path.join(dir, `${sp.name}-${r}.wav`);
      execFileSync('flite', ['-voice', sp.voice, '-t', sp.sentences[r], '-o', raw], { timeout: 30000 });
      execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', file, 'norm', '-3'], { timeout: 30000 });
      const d = seconds(file);
      sp.turns.push({ file, at, d });
      at += d + GAP_S;
    }
  }
  return at;
}

// The speaker's microphone file, for a browser started @lead seconds before speech begins:
// silence, their sentences at their turns, a long silence (Chromium loops the file).
function speechFile(dir, sp, lead) {
  const parts = [];
  let end = -lead;
  sp.turns.forEach((t, i) => {
    const out = path.join(dir, `${sp.name}-${i}-turn.wav`);
    execFileSync('sox', [t.file, out, 'pad', String(Math.max(0, t.at - end)), '0'], { timeout: 30000 });
    parts.push(out);
    end = t.at + t.d;
  });
  const out = path.join(dir, `${sp.name}.wav`);
  execFileSync('sox', [...parts, out, 'pad', '0', String(TAIL_S)], { timeout: 30000 });
  return out;
}

function statements(server, meeting) {
  const db = path.join(server.dataDir, 'kaigi.db');
  const out = execFileSync('sqlite3', ['-json', db, `SELECT id, speaker_name AS name, text, start_us, end_us, public FROM utterance WHERE meeting_id = ${meeting} ORDER BY start_us`]).toString();
  return out.trim() ? JSON.parse(out) : [];
}

function sclite(dir, refs, hyps) {
  const ref = path.join(dir, 'ref.trn');
  const hyp = path.join(dir, 'hyp.trn');
  fs.writeFileSync(ref, refs.map(([spk, text]) => `${words(text).join(' ')} (${spk}_1)\n`).join(''));
  fs.writeFileSync(hyp, hyps.map(([spk, text]) => `${words(text).join(' ')} (${spk}_1)\n`).join(''));
  const out = execFileSync('sctk', ['sclite', '-r', ref, 'trn', '-h', hyp, 'trn', '-i', 'rm', '-o', 'sum', 'stdout']).toString();
  const rows = {};
  for (const line of out.split('\n')) {
    const m = /^\s*\|\s*(\S+)\s*\|\s*\d+\s+(\d+)\s*\|\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (m) rows[m[1]] = { words: Number(m[2]), corr: Number(m[3]), sub: Number(m[4]), del: Number(m[5]), ins: Number(m[6]), err: Number(m[7]) };
  }
  return rows;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

await runTest(
  'minutes-bench',
  async () => {
    const dir = tempDir('kaigi-minutes-bench-');
    const server = await new Server().start();
    const meeting = await server.testMeeting();
    const chairB = await launchBrowser({ audioFile: makeSilenceWav(dir), label: 'chair chromium' });
    const chair = await joinPage(chairB, server, 'Chair', { url: await server.linkFor('Chair', 'chair') });
    // Everyone is on the roster before the meeting opens (then it can no longer be edited).
    const links = {};
    for (const sp of SPEAKERS) links[sp.name] = await server.linkFor(sp.name);
    await waitConnected(chair, 30000);
    await chair.click('#mute-video');
    await chair.click('#state-open');
    await waitFor(async () => (await chair.evaluate(() => window.kaigi.meetingState))?.state === 'public', 10000, 'the meeting to open');
    const speechSeconds = prepare(dir);
    const speechAt = Date.now() + START_S * 1000;
    for (const sp of SPEAKERS) {
      const b = await launchBrowser({ audioFile: speechFile(dir, sp, (speechAt - Date.now()) / 1000), label: `${sp.name} chromium` });
      const page = await joinPage(b, server, sp.name, { url: links[sp.name] });
      await waitConnected(page, 30000);
      // Cameras off: four Chromiums encoding and decoding video on this one machine would
      // measure the machine, not the minutes (members are on their own computers).
      await page.click('#mute-video');
    }
    check(Date.now() < speechAt - 2000, 'every member joined before the speech begins');
    // The browsers stand in for the members' own computers: on this machine they run below
    // the server's priority, as they would not compete with it at all in a real meeting
    // (the recognisers run at nice 10 below the server's media, minutes/asr.c).
    execFileSync('sh', ['-c', 'renice -n 15 -p $(pgrep -f /usr/lib/chromium/chromium) > /dev/null']);
    await sleep(speechAt + speechSeconds * 1000 - Date.now());
    const want = SPEAKERS.length * 5;
    await waitFor(async () => statements(server, meeting).length >= want, 30000, 'the statements to be recognised').catch(() => {});
    await sleep(3000);
    const all = statements(server, meeting);
    const caps = await chair.evaluate(() => window.kaigi.captions.map((c) => ({ id: c.id, end: c.end, at: c.at, shownAt: c.shownAt })));
    const metrics = await (await fetch(`${server.base}/metrics`)).text();

    // Word error rate per speaker.
    const refs = SPEAKERS.map((sp) => [sp.name.toLowerCase(), sp.sentences.join(' ')]);
    const hyps = SPEAKERS.map((sp) => [sp.name.toLowerCase(), all.filter((u) => u.name === sp.name).map((u) => u.text).join(' ')]);
    const wer = sclite(dir, refs, hyps);
    // Attribution: the speaker whose sentences share most words with the statement.
    // Ties (a statement of words all speakers use) count as right: the words cannot tell.
    let right = 0;
    const wrong = [];
    const vocab = SPEAKERS.map((sp) => new Set(words(sp.sentences.join(' '))));
    for (const u of all) {
      const w = new Set(words(u.text));
      const score = vocab.map((v) => [...w].filter((x) => v.has(x)).length);
      const best = Math.max(...score);
      const mine = score[SPEAKERS.findIndex((sp) => sp.name === u.name)];
      if (mine === best) right++;
      else wrong.push(`${u.name}: "${u.text}" (sounds like ${SPEAKERS[score.indexOf(best)].name})`);
    }
    // Caption latency: end of speech (server) to the caption on the chair's page.
    const lat = caps.filter((c) => Number.isFinite(c.end)).map((c) => (c.shownAt - c.end) / 1000);
    // Of which: in the server (the pause that ends a statement, the spool, the queue, the
    // recogniser) up to the caption being sent, and from there to the page.
    const inServer = caps.filter((c) => Number.isFinite(c.at)).map((c) => (c.at - c.end) / 1000);
    const toPage = caps.filter((c) => Number.isFinite(c.at)).map((c) => (c.shownAt - c.at) / 1000);

    log('--- minutes benchmark (engine: the server default) ---');
    for (const u of all) log(`  ${u.name}: ${u.text}`);
    for (const sp of SPEAKERS) {
      const r = wer[sp.name.toLowerCase()] ?? {};
      log(`WER ${sp.name} (flite ${sp.voice}): ${r.err}% of ${r.words} words (sub ${r.sub}, del ${r.del}, ins ${r.ins}); statements ${all.filter((u) => u.name === sp.name).length}`);
    }
    log(`WER all: ${wer['Sum/Avg']?.err}%`);
    log(`attribution: ${right}/${all.length} statements to the right speaker (${((100 * right) / Math.max(1, all.length)).toFixed(0)} %)${wrong.length ? '; ' + wrong.join('; ') : ''}`);
    log(`caption latency (end of speech at the server -> shown on the chair's page): p50 ${percentile(lat, 50).toFixed(2)} s, p95 ${percentile(lat, 95).toFixed(2)} s, max ${Math.max(...lat).toFixed(2)} s over ${lat.length} captions`);
    log(`  of which in the server (pause, spool, queue, recognition): p50 ${percentile(inServer, 50).toFixed(2)} s, p95 ${percentile(inServer, 95).toFixed(2)} s; to the page: p50 ${percentile(toPage, 50).toFixed(3)} s, p95 ${percentile(toPage, 95).toFixed(3)} s`);
    const figure = (name) => Number(new RegExp(`^${name} ([\\d.]+)`, 'm').exec(metrics)?.[1] ?? NaN);
    log(`recogniser: ${figure('kaigi_asr_audio_seconds_total').toFixed(1)} s of speech in ${figure('kaigi_asr_busy_seconds_total').toFixed(1)} s (real-time factor ${(figure('kaigi_asr_busy_seconds_total') / figure('kaigi_asr_audio_seconds_total')).toFixed(2)}, ${SPEAKERS.length + 1} Chromiums on this machine); backlog now ${figure('kaigi_asr_backlog')}`);
    check(all.length > 0, 'the meeting has statements');
  },
  { timeoutMs: 240000 },
);
