// media-bench.mjs: what N WebRTC participants sending real Opus and VP8 cost kaigi-server,
// and what delay and loss its forwarding adds.
//
// For each N on the command line (default 10 20 30): a fresh server (loopback only, its
// default settings), a meeting with N members and their join tokens (REST API), and
// kaigi-media-load (tests/bench/media-load.c) in a process of its own: N webrtcbin
// participants that join over the signalling WebSocket as browsers do, each sending a tone
// (Opus, 32 kbit/s, -60 dBFS: below the server's speech detection, so no recognition runs)
// and 640x360 VP8 at 20 fps, 500 kbit/s (one encoder for all, its frames sent by every
// participant), and receiving the mix-minus and the K video slots. Once all are connected
// and receiving, and a 5 s warm-up has passed, the server is measured over a 20 s window
// from /proc (CPU as % of one core, threads, RSS) and /metrics (RTP packets it sent:
// forwarded video and the mixes). The load generator reports the delay of every VP8 frame
// from its encoder's output to each receiver's depayloader (matched by a hash of the frame's
// bytes; one process, one clock), frames that never arrived, and RTP sequence gaps.
// Prints one table. A benchmark, not a test: meson does not run it.
//
//   KAIGI_SERVER=build/server/kaigi-server KAIGI_MEDIA_LOAD=build/tests/kaigi-media-load \
//     node tests/bench/media-bench.mjs 10 20 30
//
// (KAIGI_MEDIA_LOAD defaults to tests/kaigi-media-load next to KAIGI_SERVER's build tree;
// KAIGI_BENCH_WINDOW_MS changes the window, KAIGI_BENCH_CONFIG gives the servers a settings
// file (tests/bench/media-only.conf: no recording, public program or transcription),
// KAIGI_MEDIA_LOAD_NICE runs the load generator at that nice level, KAIGI_MEDIA_LOAD_ARGS adds options of kaigi-media-load (--help); --smoke: N=2, 5 s,
// exit 1 unless frames and the mixes arrived.) The delay includes both clients' webrtcbin stacks (send pacing, SRTP, the
// receiver's jitterbuffer) on loopback: it is an upper bound of what the server adds. The
// load generator shares the machine's cores with the server; its own CPU is printed too.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import {
  Server,
  TestFailure,
  check,
  log,
  onCleanup,
  procFigures,
  runTest,
  serverBinary,
  sleep,
  tempDir,
  withTimeout,
} from '../browser/lib.mjs';

const smoke = process.argv.includes('--smoke');
const WINDOW_MS = smoke ? 5000 : Number(process.env.KAIGI_BENCH_WINDOW_MS || 20000);
const WARMUP_S = smoke ? 1 : 5;
const READY_TIMEOUT_S = 90;
const loadBinary =
  process.env.KAIGI_MEDIA_LOAD || path.join(path.dirname(serverBinary), '..', 'tests', 'kaigi-media-load');
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 2 && n <= 100);
if (smoke) sizes.splice(0, sizes.length, 2);
else if (sizes.length === 0) sizes.push(10, 20, 30);

// A meeting with members Bench 1..n (online) and a chair who does not join; their tokens.
async function meetingTokens(server, n) {
  const roster = [{ name: 'Chair', title: '会長', role: 'chair', site: '本会場' }];
  for (let i = 1; i <= n; i++) roster.push({ name: `Bench ${i}`, title: '委員', role: 'member', site: 'オンライン' });
  const doc = await server.api('POST', '/api/meetings', {
    body: 'ベンチ委員会',
    title: 'Media bench',
    scheduled_at: new Date().toISOString().replace('Z', '+00:00'),
    visibility: 'public',
    venues: [
      { kind: 'main', name: '本会場' },
      { kind: 'online', name: 'オンライン' },
    ],
    agenda: [{ number: '議題1', title: 'Bench item' }],
    roster,
  });
  const { links } = await server.api('POST', `/api/meetings/${doc.id}/links`, {});
  const tokens = [];
  for (let i = 1; i <= n; i++) {
    const link = links.find((l) => l.kind === 'roster' && l.name === `Bench ${i}`);
    check(link?.token, `no join token for Bench ${i}`);
    tokens.push(link.token);
  }
  return { id: doc.id, tokens };
}

const clockTicks = 100; // USER_HZ: the unit of /proc's utime and stime on Linux

// CPU seconds of the process's threads grouped by name, digits made '#' ("pc#-ice" ...).
function threadCpu(pid) {
  const groups = {};
  let dirs = [];
  try {
    dirs = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of dirs) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+/g, '#');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      groups[name] = (groups[name] || 0) + (Number(rest[11]) + Number(rest[12])) / clockTicks;
    } catch {
      // the thread ended
    }
  }
  return groups;
}
// CPU seconds the whole machine has spent busy (all cores; /proc/stat).
function machineBusy() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / clockTicks;
}

// The RTP packet counters of /metrics: {in: {audio, video}, out: {audio, video}}, or null
// when the server does not answer in time (its main loop overloaded).
async function rtpCounters(server) {
  let text;
  try {
    const res = await fetch(`${server.base}/metrics`, { signal: AbortSignal.timeout(15000) });
    text = await res.text();
  } catch (err) {
    log(`/metrics did not answer: ${err.message}`);
    return null;
  }
  const out = { in: { audio: 0, video: 0 }, out: { audio: 0, video: 0 } };
  for (const m of text.matchAll(/^kaigi_rtp_packets_total\{direction="(in|out)",kind="(audio|video)"\} (\d+)/gm))
    out[m[1]][m[2]] = Number(m[3]);
  return out;
}

// Runs kaigi-media-load; on its "WINDOW start/end" lines reads the server's figures.
function runLoad(server, meeting, tokensFile, n) {
  const args = [
    '--url', server.wsUrl,
    '--meeting', String(meeting),
    '--tokens', tokensFile,
    '--seconds', String(WINDOW_MS / 1000),
    '--warmup', String(WARMUP_S),
    '--ready-timeout', String(READY_TIMEOUT_S),
    ...(process.env.KAIGI_MEDIA_LOAD_ARGS || '').split(/\s+/).filter(Boolean),
  ];
  // KAIGI_MEDIA_LOAD_NICE=10 runs the load generator below the server's priority: on a
  // machine too small for both, the server then gets what it needs (and the delay includes
  // the load generator's waits for the CPU).
  const nice = process.env.KAIGI_MEDIA_LOAD_NICE;
  const child = spawn(nice ? 'nice' : loadBinary, nice ? ['-n', nice, loadBinary, ...args] : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { GST_DEBUG: '*:1', ...process.env },
  });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const got = { before: null, after: null, result: null, stderr: [] };
  const pending = [];
  readline.createInterface({ input: child.stderr }).on('line', (l) => {
    got.stderr.push(l);
    if (got.stderr.length > 200) got.stderr.shift();
    if (/ready|error|failed/i.test(l)) log(`media-load: ${l.replace(/^media-load: /, '')}`);
  });
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    const sample = async () => {
      const figures = {
        server: procFigures(server.pid),
        load: procFigures(child.pid),
        threads: threadCpu(server.pid),
        machine: machineBusy(),
      };
      return { ...figures, rtp: await rtpCounters(server) };
    };
    const keep = (key) =>
      pending.push(
        sample().then(
          (s) => (got[key] = s),
          (err) => log(`could not read the figures (${key} the window): ${err.message}`),
        ),
      );
    if (l === 'WINDOW start') keep('before');
    else if (l === 'WINDOW end') keep('after');
    else if (l.startsWith('RESULT ')) got.result = JSON.parse(l.slice(7));
  });
  const limitMs = (READY_TIMEOUT_S + WARMUP_S + 30) * 1000 + WINDOW_MS + n * 500;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return withTimeout(exited, limitMs, `kaigi-media-load with N=${n}`).then(async (exit) => {
    await Promise.all(pending);
    if (!got.result || !got.before || !got.after) {
      console.error(got.stderr.slice(-30).join('\n'));
      throw new TestFailure(`kaigi-media-load N=${n} ended (code ${exit.code}, signal ${exit.signal}) without figures`);
    }
    return { ...got, exit };
  });
}

async function runOne(n) {
  const config = process.env.KAIGI_BENCH_CONFIG;
  const server = await new Server({
    label: `kaigi-server (N=${n})`,
    args: config ? ['--config', path.resolve(config)] : [],
  }).start();
  try {
    const idle = procFigures(server.pid);
    const { id, tokens } = await meetingTokens(server, n);
    const tokensFile = path.join(tempDir('kaigi-media-bench-'), 'tokens');
    fs.writeFileSync(tokensFile, tokens.join('\n') + '\n');
    const t0 = Date.now();
    const { before, after, result: r } = await runLoad(server, id, tokensFile, n);
    check(server.alive(), `the server is alive at N=${n}`);
    const seconds = (after.server.at - before.server.at) / 1000;
    const cpu = ((after.server.cpuSeconds - before.server.cpuSeconds) / seconds) * 100;
    const loadCpu = ((after.load.cpuSeconds - before.load.cpuSeconds) / seconds) * 100;
    const othersCpu = ((after.machine - before.machine) / seconds) * 100 - cpu - loadCpu;
    const rtp = after.rtp && before.rtp;
    // Without /metrics: the packets the participants received (the same packets, less loss).
    const outPackets = rtp
      ? after.rtp.out.audio + after.rtp.out.video - before.rtp.out.audio - before.rtp.out.video
      : r.videoPackets + r.audioPackets;
    const cpuUsPerPacket = outPackets ? ((after.server.cpuSeconds - before.server.cpuSeconds) * 1e6) / outPackets : NaN;
    const busiest = Object.entries(after.threads)
      .map(([name, t]) => [name, ((t - (before.threads[name] || 0)) / seconds) * 100])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    return {
      n,
      wallS: (Date.now() - t0) / 1000,
      cpu,
      loadCpu,
      othersCpu,
      cpuUsPerPacket,
      outPps: outPackets / seconds,
      fromMetrics: rtp,
      busiest,
      inPps: rtp ? (after.rtp.in.audio + after.rtp.in.video - before.rtp.in.audio - before.rtp.in.video) / seconds : NaN,
      inVideo: rtp ? after.rtp.in.video - before.rtp.in.video : NaN,
      threads: after.server.threads,
      idleThreads: idle.threads,
      rssMb: after.server.rssKb / 1024,
      idleRssMb: idle.rssKb / 1024,
      fds: after.server.fds,
      ...r,
    };
  } finally {
    await server.stop();
  }
}

function printTable(rows) {
  const f = (v, w, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : String(v ?? '-')).padStart(w);
  console.log(
    `\nkaigi-server, ${WINDOW_MS / 1000} s window after ${WARMUP_S} s warm-up; per participant (/p) = (figure - idle server) / N, CPU %/p = CPU % / N`,
  );
  console.log(
    '   N ready   CPU %  CPU %/p  µs CPU/fwd pkt  fwd pkt/s  in pkt/s  threads  thr/p  RSS MB  RSS MB/p  delay p50 ms  p95 ms  max ms  key p95  delta p95  keys  frames lost %  into server %  RTP lost v/a  load-gen CPU %  others CPU %',
  );
  for (const r of rows) {
    const lostPct = r.framesExpected ? (100 * (r.framesExpected - r.framesMatched)) / r.framesExpected : NaN;
    console.log(
      [
        f(r.n, 4, 0),
        f(`${r.ready}/${r.clients}`, 5),
        f(r.cpu, 7),
        f(r.cpu / r.n, 8, 2),
        f(r.cpuUsPerPacket, 14) + (r.fromMetrics ? ' ' : '*'),
        f(r.outPps, 10, 0),
        f(r.inPps, 9, 0),
        f(r.threads, 8, 0),
        f((r.threads - r.idleThreads) / r.n, 6),
        f(r.rssMb, 7),
        f((r.rssMb - r.idleRssMb) / r.n, 9, 2),
        f(r.latencyP50Ms, 13),
        f(r.latencyP95Ms, 7),
        f(r.latencyMaxMs, 7),
        f(r.latencyKeyP95Ms, 8),
        f(r.latencyDeltaP95Ms, 10),
        f(r.keyFramesSent, 5, 0),
        f(lostPct, 14, 2),
        f(r.sentVideoPackets ? (100 * r.inVideo) / r.sentVideoPackets : NaN, 14),
        f(`${r.videoLost}/${r.audioLost}`, 13),
        f(r.loadCpu, 15),
        f(r.othersCpu, 13),
      ].join(' '),
    );
  }
  console.log(
    '\nfwd pkt/s: RTP packets the server sent (forwarded video + the mixes, /metrics); µs CPU/fwd pkt: all of the',
  );
  console.log(
    "server's CPU in the window divided by them. delay: VP8 frame from the load generator's encoder to each",
  );
  console.log(
    "receiver's depayloader, through both clients' webrtcbins on loopback and the server: an upper bound of what",
  );
  console.log(
    'the server adds. key p95 / delta p95: the same for keyframes / the other frames; keys: keyframes the shared',
  );
  console.log(
    "encoder put out in the window (every publisher's copy of a keyframe is one; each PLI forces one, at most one",
  );
  console.log(
    'per 300 ms). frames lost: frames sent in the window that a receiving slot never got. into server: video',
  );
  console.log(
    "RTP packets out of the server's jitterbuffers (/metrics) per 100 the participants sent. RTP lost: sequence",
  );
  console.log("gaps (video/audio) after the receivers' jitterbuffers. * /metrics did not answer: packets received.");
  console.log(`others CPU: the rest of the machine (${os.cpus().length} cores) in the window; high means the figures were disturbed.`);
  console.log("\nThe server's busiest threads in the window (% of one core; digits in names as #):");
  for (const r of rows)
    console.log(`  N=${r.n}: ` + r.busiest.map(([name, pct]) => `${name} ${pct.toFixed(1)}`).join(', '));
  console.log('');
}

await runTest(
  smoke ? 'media-bench --smoke' : 'media-bench',
  async () => {
    check(fs.existsSync(loadBinary), `no load generator at ${loadBinary} (set KAIGI_MEDIA_LOAD; it needs libsoup-3.0-dev)`);
    const rows = [];
    for (const n of sizes) {
      log(`N=${n}: starting`);
      const r = await runOne(n);
      log(
        `N=${n}: ${r.ready}/${r.clients} ready, CPU ${r.cpu.toFixed(1)} %, delay p95 ${r.latencyP95Ms.toFixed(1)} ms, ` +
          `${r.framesMatched}/${r.framesExpected} frames`,
      );
      rows.push(r);
      await sleep(1000);
    }
    printTable(rows);
    if (smoke) {
      const r = rows[0];
      check(r.ready === 2, `both participants were ready (${r.ready})`);
      // Loose bounds: a busy machine may lose a little, but nothing arriving is a failure.
      check(r.framesExpected > 0 && r.framesMatched >= 0.5 * r.framesExpected, `frames arrived (${r.framesMatched}/${r.framesExpected})`);
      check(r.audioPackets >= 100, `the mixes arrived (${r.audioPackets} packets in 5 s)`);
    }
  },
  { timeoutMs: smoke ? 90000 : (READY_TIMEOUT_S + 60) * 1000 * sizes.length + WINDOW_MS * sizes.length },
);
