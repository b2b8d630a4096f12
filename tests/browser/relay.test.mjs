// relay.test.mjs: two members whose browsers may only use a TURN relay still meet, and
// /metrics shows it.
//
// Debian's coturn runs on loopback with the REST scheme (use-auth-secret); kaigi-server gets
// the same secret in [webrtc] turn-secret and hands each browser its own time-limited
// credentials in welcome.iceServers. Both pages open with ?ice=relay (iceTransportPolicy
// 'relay'). Checked:
//   - each page's selected candidate pair has a local candidate of type relay;
//   - video frames are decoded from the other and audio packets arrive, through the relay;
//   - coturn logged allocations for the credentials kaigi made;
//   - /metrics: participants go 0 -> 2, RTP packets/bytes in and out grow while media
//     flows, mixer threads appear, the two silent members' ears get the shared Opus packets,
//     event-loop lag stays small.
// Prints the figures it measured. Exits 0 on pass.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  Server,
  check,
  dumpPage,
  framesFrom,
  freePort,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  onCleanup,
  pageStats,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

async function startCoturn(dir, secret) {
  const port = await freePort();
  const minPort = 40000 + Math.floor(Math.random() * 20000);
  const conf = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(
    conf,
    [
      'listening-ip=127.0.0.1',
      `listening-port=${port}`,
      'relay-ip=127.0.0.1',
      `min-port=${minPort}`,
      `max-port=${minPort + 200}`,
      'realm=kaigi.test',
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      // Relaying to loopback peers is off by default (a relay must not reach its own host);
      // here the server and the browsers are all on loopback.
      'allow-loopback-peers',
      'fingerprint',
      'no-cli',
      'no-tls',
      'no-dtls',
      'no-tcp-relay',
      `pidfile=${path.join(dir, 'turnserver.pid')}`,
      `userdb=${path.join(dir, 'turndb.sqlite')}`,
      'log-file=stdout',
      'simple-log',
      'verbose',
      '',
    ].join('\n'),
  );
  const lines = [];
  const proc = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d) => lines.push(...String(d).split('\n').filter(Boolean));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let exited = false;
  proc.on('exit', () => (exited = true));
  onCleanup(async () => {
    if (exited) return;
    proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => proc.on('exit', r)), sleep(3000)]);
    if (!exited) proc.kill('SIGKILL');
  });
  await waitFor(() => {
    if (exited) throw new Error(`turnserver exited:\n${lines.slice(-20).join('\n')}`);
    return lines.some((l) => /Total (UDP|General) servers|IPv4\. UDP listener opened/.test(l));
  }, 10000, 'coturn to listen');
  log(`coturn pid ${proc.pid} on 127.0.0.1:${port}, relay ports ${minPort}-${minPort + 200}`);
  return { port, lines };
}

// The selected candidate pair of a page: local and remote candidate types.
function selectedPair(page) {
  return page.evaluate(async () => {
    const report = await window.kaigi.pc.getStats();
    let pair = null;
    for (const s of report.values())
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    if (!pair) for (const s of report.values()) if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    if (!pair) return null;
    const l = report.get(pair.localCandidateId);
    const r = report.get(pair.remoteCandidateId);
    return { local: l?.candidateType, localProtocol: l?.relayProtocol, remote: r?.candidateType, bytesSent: pair.bytesSent };
  });
}

async function metrics(server) {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const v = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$/);
    if (m) v[m[1]] = Number(m[2]);
  }
  return v;
}

await runTest(
  'relay',
  async () => {
    const dir = tempDir();
    const secret = crypto.randomBytes(16).toString('hex');
    const turn = await startCoturn(dir, secret);
    const conf = path.join(dir, 'kaigi.conf');
    fs.writeFileSync(
      conf,
      `[webrtc]\nturn-servers = turn:127.0.0.1:${turn.port}?transport=udp\nturn-secret = ${secret}\n`,
    );
    const server = await new Server({ args: ['--config', conf] }).start();
    const m0 = await metrics(server);
    check(m0['kaigi_participants{role="member"}'] === 0, 'no participants at start in /metrics');

    const silence = makeSilenceWav(dir);
    const browser = await launchBrowser({ audioFile: silence, label: 'relay chromium' });
    const pages = [
      await joinPage(browser, server, 'Relay One', { query: '?ice=relay' }),
      await joinPage(browser, server, 'Relay Two', { query: '?ice=relay' }),
    ];
    try {
      const welcome = await pages[0].evaluate(() => window.kaigi.events.find((e) => e.type === 'welcome'));
      log(`welcome.iceServers: ${JSON.stringify(welcome.iceServers).replace(/"credential":"[^"]*"/, '"credential":"…"')}`);
      check(welcome.iceServers?.[0]?.username?.endsWith(`:${welcome.id}`), 'REST username is <expiry>:<participant id>');
      await Promise.all(pages.map((p) => waitConnected(p, 30000)));
      const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.kaigi.id)));
      const m1 = await metrics(server);
      const s1 = await Promise.all(pages.map(pageStats));
      await sleep(4000);
      const s2 = await Promise.all(pages.map(pageStats));
      const m2 = await metrics(server);
      for (let i = 0; i < 2; i++) {
        const pair = await selectedPair(pages[i]);
        log(`${pages[i].kaigiName}: selected pair local=${pair?.local} (${pair?.localProtocol}) remote=${pair?.remote}`);
        check(pair?.local === 'relay', `${pages[i].kaigiName} sends through the relay (local candidate ${pair?.local})`);
        const other = ids[1 - i];
        const frames = framesFrom(s2[i], other) - framesFrom(s1[i], other);
        const audio = s2[i].audio.packetsReceived - s1[i].audio.packetsReceived;
        log(`${pages[i].kaigiName}: ${frames} frames from the other and ${audio} audio packets in 4 s`);
        check(frames > 20, `${pages[i].kaigiName} decodes video through the relay (${frames} frames)`);
        check(audio > 50, `${pages[i].kaigiName} receives audio through the relay (${audio} packets)`);
      }
      const allocs = turn.lines.filter((l) => /ALLOCATE processed, success/.test(l));
      const users = new Set(allocs.map((l) => l.match(/user <\d+:([^>]+)>/)?.[1]).filter(Boolean));
      log(`coturn: ${allocs.length} successful allocations, for ${[...users].sort().join(' ')}`);
      check(ids.every((id) => users.has(id)), 'coturn allocated relays with the credentials kaigi made');
      // The server's webrtcbins allocate too (add-turn-server with the REST credentials).
      const serverRelay = await pages[0].evaluate(() =>
        window.kaigi.events.filter((e) => e.type === 'ice' && / typ relay /.test(e.candidate)).length);
      log(`server relay candidates sent to ${pages[0].kaigiName}: ${serverRelay}`);
      check(serverRelay > 0, 'the server offers a relay candidate of its own');

      // /metrics moved with the meeting.
      const key = (d, k) => `{direction="${d}",kind="${k}"}`;
      check(m2['kaigi_participants{role="member"}'] === 2, '/metrics counts 2 participants');
      for (const d of ['in', 'out'])
        for (const k of ['audio', 'video']) {
          const dp = m2[`kaigi_rtp_packets_total${key(d, k)}`] - m1[`kaigi_rtp_packets_total${key(d, k)}`];
          const db = m2[`kaigi_rtp_bytes_total${key(d, k)}`] - m1[`kaigi_rtp_bytes_total${key(d, k)}`];
          log(`/metrics RTP ${d} ${k}: +${dp} packets, +${db} bytes in ~4 s`);
          check(dp > 50 && db > dp * 10, `/metrics RTP ${d} ${k} grows`);
        }
      // The meeting's one mixer (mix-N:src); the ears (kaigiopusear) run on its thread, none
      // has a thread of its own (pN-ear0:src).
      check(m2.kaigi_mixer_threads === 1, `one mixer thread for the meeting, no encoder threads (got ${m2.kaigi_mixer_threads})`);
      // Both members are silent: their ears carry the total, encoded once by the mixer.
      const ear = (e) => m2[`kaigi_ear_packets_total{encoder="${e}"}`] - m1[`kaigi_ear_packets_total{encoder="${e}"}`];
      log(`/metrics ear packets in ~4 s: shared ${ear('shared')}, own ${ear('own')}`);
      check(ear('shared') > 300 && ear('own') < 20, 'two silent listeners get the shared Opus packets, nobody encodes their own');
      check(m2.kaigi_event_loop_ticks_total > m0.kaigi_event_loop_ticks_total, 'the lag timer runs');
      log(`/metrics: mixer CPU ${m2.kaigi_mixer_cpu_seconds} s, event-loop lag ${(m2.kaigi_event_loop_lag_seconds * 1000).toFixed(1)} ms, ` +
        `threads ${m2.process_threads}, RSS ${(m2.process_resident_memory_bytes / 1048576).toFixed(1)} MB`);
      check(m2.kaigi_event_loop_lag_seconds < 0.5, 'event-loop lag under 500 ms');
    } catch (err) {
      for (const p of pages) await dumpPage(p);
      console.error(`---- coturn ----\n${turn.lines.slice(-30).join('\n')}`);
      server.dumpLog();
      throw err;
    }
  },
  { timeoutMs: 120000 },
);
