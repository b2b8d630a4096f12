// meeting-bench.mjs: what a meeting of N browsers costs kaigi-server.
//
// For each N on the command line (default 2 5 10): a fresh server, N Chromium pages with
// fake camera and microphone (spread over two browser processes) join the meeting; once all
// are connected and a short warm-up has passed, the server process is measured over a
// 20 s window from /proc: CPU (utime+stime, % of one core), threads, RSS. The pages report
// what they received in the same window (video frames per second per shown slot, audio
// packets). Prints one table. A benchmark, not a test: meson does not run it.
//
//   KAIGI_SERVER=build/server/kaigi-server node tests/bench/meeting-bench.mjs 2 5 10
//
// The machine's cores are shared with the browsers, which do all the encoding and decoding:
// read the server's figures as its own cost, and the browsers' frame rates as a sign that
// the machine was not saturated.

import {
  Server,
  check,
  closePage,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  pageStats,
  procFigures,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from '../browser/lib.mjs';

const WINDOW_MS = Number(process.env.KAIGI_BENCH_WINDOW_MS || 20000);
const WARMUP_MS = 5000;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 16);
if (sizes.length === 0) sizes.push(2, 5, 10);

async function runOne(n, silenceWav) {
  const server = await new Server({ label: `kaigi-server (N=${n})` }).start();
  const idle = procFigures(server.pid);
  const browsers = [await launchBrowser({ audioFile: silenceWav, label: 'chromium A' })];
  if (n > 1) browsers.push(await launchBrowser({ audioFile: silenceWav, label: 'chromium B' }));
  const pages = [];
  try {
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      pages.push(
        await joinPage(browsers[i % browsers.length], server, `Bench ${i + 1}`, {
          viewport: { width: 640, height: 400 },
        }),
      );
    }
    await Promise.all(pages.map((p) => waitConnected(p, 30000)));
    const joinMs = Date.now() - t0;
    // Every page shows min(n-1, K) others before the measurement starts.
    await waitFor(
      async () => {
        const all = await Promise.all(pages.map((p) => p.evaluate(() => window.kaigi.slots)));
        return all.every((slots) => slots.filter((s) => s.participant).length === Math.min(n - 1, slots.length));
      },
      20000,
      'all slots to be filled',
    );
    await sleep(WARMUP_MS);

    const before = procFigures(server.pid);
    const s0 = await Promise.all(pages.map(pageStats));
    await sleep(WINDOW_MS);
    const after = procFigures(server.pid);
    const s1 = await Promise.all(pages.map(pageStats));
    check(server.alive(), `the server is alive at N=${n}`);

    const seconds = (after.at - before.at) / 1000;
    const cpu = ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100;
    let streams = 0;
    let frames = 0;
    let stalled = 0;
    let audioPackets = 0;
    for (let i = 0; i < pages.length; i++) {
      for (const slot of s1[i].slots) {
        if (!slot.participant) continue;
        const prev = s0[i].slots.find((s) => s.index === slot.index);
        const d = slot.framesDecoded - (prev?.participant === slot.participant ? prev.framesDecoded : 0);
        streams++;
        frames += d;
        if (d <= 0) stalled++;
      }
      audioPackets += s1[i].audio.packetsReceived - s0[i].audio.packetsReceived;
    }
    return {
      n,
      joinMs,
      cpu,
      threads: after.threads,
      fds: after.fds,
      rssMb: after.rssKb / 1024,
      idleRssMb: idle.rssKb / 1024,
      idleThreads: idle.threads,
      streams,
      fps: streams ? frames / streams / seconds : 0,
      stalled,
      audioPps: audioPackets / n / seconds,
    };
  } finally {
    for (const p of pages) await closePage(p);
    for (const b of browsers) await b.close().catch(() => {});
    await server.stop();
  }
}

await runTest(
  'meeting-bench',
  async () => {
    const silenceWav = makeSilenceWav(tempDir('kaigi-bench-'));
    const rows = [];
    for (const n of sizes) {
      log(`N=${n}: starting`);
      const r = await runOne(n, silenceWav);
      log(`N=${n}: CPU ${r.cpu.toFixed(1)} %, threads ${r.threads}, RSS ${r.rssMb.toFixed(1)} MB`);
      rows.push(r);
    }
    const f = (v, w, d = 1) => (typeof v === 'number' ? v.toFixed(d) : String(v)).padStart(w);
    console.log(`\nkaigi-server, ${WINDOW_MS / 1000} s window; per participant = (figure - idle server) / N`);
    console.log(
      '   N  join s   CPU %  CPU %/p  threads  thr/p  RSS MB  RSS MB/p   fds  video streams  fps/stream  stalled  audio pkt/s/p',
    );
    for (const r of rows) {
      console.log(
        [
          f(r.n, 4, 0),
          f(r.joinMs / 1000, 7),
          f(r.cpu, 7),
          f(r.cpu / r.n, 8),
          f(r.threads, 8, 0),
          f((r.threads - r.idleThreads) / r.n, 6),
          f(r.rssMb, 7),
          f((r.rssMb - r.idleRssMb) / r.n, 9),
          f(r.fds, 5, 0),
          f(r.streams, 14, 0),
          f(r.fps, 11),
          f(r.stalled, 8, 0),
          f(r.audioPps, 14),
        ].join(' '),
      );
    }
    console.log('');
  },
  { timeoutMs: 120000 * sizes.length },
);
