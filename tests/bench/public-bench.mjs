// public-bench.mjs: what the public gallery costs kaigi-server, per viewer, on each path.
//
// One server and one meeting with a chair whose fake camera and microphone feed the program.
// Then, for each N on the command line (default 5 20):
//   - HLS: N clients in this process that behave like players (the playlist every second,
//     each new segment once), straight from kaigi-server (no nginx cache in front);
//   - WHEP: N WebRTC viewers (RTCPeerConnections posting WHEP offers) in one Chromium page.
// Each runs alone for a 20 s window; the server process is measured from /proc (CPU % of one
// core, RSS) against the same window with no viewer, taken just before, so shared-machine
// noise is the same for both. The cost per viewer is the difference divided by N.
// Latency: the chair switches the meeting closed and public again; the time until a viewer's
// screen turns to the slate (frame colour) is the path's glass-to-glass lag for a picture
// change made in the server (gate to screen), measured for one HLS (hls.js) and one WHEP page.
// A benchmark, not a test: meson does not run it.
//
//   KAIGI_SERVER=build/server/kaigi-server node tests/bench/public-bench.mjs 5 20

import {
  Server,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  procFigures,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from '../browser/lib.mjs';

const WINDOW_MS = Number(process.env.KAIGI_BENCH_WINDOW_MS || 20000);
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 200);
if (sizes.length === 0) sizes.push(5, 20);

async function measure(pid, ms) {
  const a = procFigures(pid);
  await sleep(ms);
  const b = procFigures(pid);
  return { cpu: (100 * (b.cpuSeconds - a.cpuSeconds)) / ((b.at - a.at) / 1000), rssMb: b.rssKb / 1024 };
}

// N players: playlist every second, every new segment once. Returns stop().
function hlsClients(base, meeting, n) {
  let stop = false;
  let bytes = 0;
  const loops = [];
  for (let i = 0; i < n; i++) {
    loops.push(
      (async () => {
        const seen = new Set();
        while (!stop) {
          try {
            const list = await (await fetch(`${base}/hls/${meeting}/index.m3u8`)).text();
            for (const seg of list.split('\n').filter((l) => l.endsWith('.ts'))) {
              if (seen.has(seg)) continue;
              seen.add(seg);
              bytes += (await (await fetch(`${base}/hls/${meeting}/${seg}`)).arrayBuffer()).byteLength;
            }
          } catch {
            // counted as nothing fetched
          }
          await sleep(1000);
        }
      })(),
    );
  }
  return {
    get bytes() {
      return bytes;
    },
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

// N WHEP viewers in one page; resolves when all are connected.
async function whepViewers(page, meeting, n) {
  return page.evaluate(
    async ({ meeting, n }) => {
      window.__pcs = [];
      const one = async () => {
        const pc = new RTCPeerConnection();
        pc.addTransceiver('audio', { direction: 'recvonly' });
        pc.addTransceiver('video', { direction: 'recvonly' });
        pc.ontrack = (ev) => {
          const v = document.createElement('video');
          v.muted = true;
          v.srcObject = new MediaStream([ev.track]);
          v.play().catch(() => {});
        };
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise((r) => {
          if (pc.iceGatheringState === 'complete') r();
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
          setTimeout(r, 3000);
        });
        const res = await fetch(`/api/public/meetings/${meeting}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
        if (res.status !== 201) throw new Error(`WHEP ${res.status}`);
        pc.whepUrl = res.headers.get('location');
        await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
        window.__pcs.push(pc);
      };
      for (let i = 0; i < n; i++) await one();
      const t0 = Date.now();
      while (window.__pcs.some((pc) => pc.connectionState !== 'connected') && Date.now() - t0 < 30000)
        await new Promise((r) => setTimeout(r, 200));
      return window.__pcs.filter((pc) => pc.connectionState === 'connected').length;
    },
    { meeting, n },
  );
}

async function closeWhep(page) {
  await page.evaluate(async () => {
    for (const pc of window.__pcs || []) {
      await fetch(pc.whepUrl, { method: 'DELETE' }).catch(() => {});
      pc.close();
    }
    window.__pcs = [];
    document.querySelectorAll('video').forEach((v) => v.remove());
  });
}

// ms until the page's program video shows the slate (colour spread <= 24), polled every 20 ms.
function slateAfter(page, t0) {
  return page.evaluate(async (t0) => {
    const v = document.querySelector('#program');
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 18;
    const g = c.getContext('2d');
    while (Date.now() - t0 < 30000) {
      g.drawImage(v, 0, 0, 32, 18);
      const d = g.getImageData(0, 0, 32, 18).data;
      let spread = 0;
      for (let i = 0; i < d.length; i += 4) spread = Math.max(spread, Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]));
      if (spread <= 24) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return NaN;
  }, t0);
}

await runTest(
  'public-bench',
  async () => {
    const dir = tempDir();
    const server = await new Server().start();
    const browser = await launchBrowser({ audioFile: makeSilenceWav(dir), label: 'bench chromium' });
    const meeting = await server.testMeeting();
    const chair = await joinPage(browser, server, 'Chair', { url: await server.linkFor('Chair', 'chair') });
    await waitConnected(chair, 30000);
    await chair.click('#state-open');
    await waitFor(async () => (await chair.evaluate(() => window.kaigi.meetingState))?.state === 'public', 10000, 'the meeting to open');
    const ctx = await browser.newContext();
    const viewers = await ctx.newPage();
    await viewers.goto(`${server.base}/public.html?m=${meeting}&via=hls`);
    await sleep(3000);
    const rows = [];
    for (const n of sizes) {
      const idle = await measure(server.pid, WINDOW_MS);
      const hls = hlsClients(server.base, meeting, n);
      await sleep(3000);
      const withHls = await measure(server.pid, WINDOW_MS);
      await hls.stop();
      const idle2 = await measure(server.pid, WINDOW_MS);
      const connected = await whepViewers(viewers, meeting, n);
      await sleep(3000);
      const withWhep = await measure(server.pid, WINDOW_MS);
      await closeWhep(viewers);
      rows.push({ n, idle, withHls, hlsMb: hls.bytes / 1e6, idle2, withWhep, connected });
      log(`N=${n}: done`);
    }

    // Latency of a picture change made in the server (the gate), per path.
    const lat = { hls: [], whep: [] };
    const pages = {};
    for (const via of ['hls', 'whep']) {
      pages[via] = await (await browser.newContext()).newPage();
      await pages[via].goto(`${server.base}/public.html?m=${meeting}${via === 'hls' ? '&via=hls' : ''}`);
      await waitFor(() => pages[via].evaluate((via) => window.kaigi.state.path === via && document.querySelector('#program').currentTime > 1, via), 30000, `${via} playing`);
    }
    for (let i = 0; i < 3; i++) {
      await sleep(8000);
      const t0 = Date.now();
      await chair.click('#state-closed');
      const [h, w] = await Promise.all([slateAfter(pages.hls, t0), slateAfter(pages.whep, t0)]);
      lat.hls.push(h);
      lat.whep.push(w);
      await chair.click('#state-public');
    }

    console.log('\nPublic gallery cost per viewer (server process, % of one core; RSS), one run:');
    console.log('   N | idle CPU | HLS CPU | per HLS viewer | HLS MB fetched | idle CPU | WHEP CPU | per WHEP viewer | WHEP connected | RSS MB (idle → WHEP)');
    for (const r of rows)
      console.log(
        `${String(r.n).padStart(4)} | ${r.idle.cpu.toFixed(1).padStart(8)} | ${r.withHls.cpu.toFixed(1).padStart(7)} | ${((r.withHls.cpu - r.idle.cpu) / r.n).toFixed(2).padStart(14)} | ${r.hlsMb.toFixed(1).padStart(14)} | ${r.idle2.cpu.toFixed(1).padStart(8)} | ${r.withWhep.cpu.toFixed(1).padStart(8)} | ${((r.withWhep.cpu - r.idle2.cpu) / r.n).toFixed(2).padStart(15)} | ${String(r.connected).padStart(14)} | ${r.idle2.rssMb.toFixed(0)} → ${r.withWhep.rssMb.toFixed(0)} (${((r.withWhep.rssMb - r.idle2.rssMb) / r.n).toFixed(2)} per viewer)`,
      );
    const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(`\nGate to screen (closed-session slate seen by the viewer), 3 switches: HLS ${lat.hls.join(', ')} ms (median ${med(lat.hls)}); WHEP ${lat.whep.join(', ')} ms (median ${med(lat.whep)})`);
  },
  { timeoutMs: 60000 + sizes.length * 6 * WINDOW_MS + sizes.reduce((a, b) => a + b, 0) * 2000 },
);
