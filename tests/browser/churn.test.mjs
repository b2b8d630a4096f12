// churn.test.mjs: join/leave churn through the real page, watching the server for leaks.
//
// One resident page stays in the meeting; a second page joins and leaves CYCLES times
// (each visit waits until its peer connection is 'connected' and it decoded video from the
// resident, then presses #leave). After a warm-up visit and a settle wait, the server's
// threads, open fds and RSS (from /proc) are the baseline; after the churn and a settle
// wait they must be back near it (threads +2, fds +4, RSS +30 MB). At the end one more
// visitor joins to show the resident still receives media. Exits 0 on pass.

import {
  Server,
  check,
  closePage,
  dumpPage,
  formatFigures,
  framesFrom,
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
} from './lib.mjs';

const CYCLES = Number(process.env.KAIGI_CHURN_CYCLES || 50);
const THREADS_TOLERANCE = 2;
const FDS_TOLERANCE = 4;
const RSS_TOLERANCE_KB = 30 * 1024;
const SETTLE_MS = 3000;
const SETTLE_MAX_MS = 20000;

// One visit: join, connected, frames decoded from the resident, leave; the resident sees
// the visitor go. Returns {ms, video}: video is false if no frame from the resident was
// decoded within FRAMES_WAIT_MS (counted, and the test fails at the end, so that one
// run still measures the leaks).
const FRAMES_WAIT_MS = 6000;

async function visit(browser, server, resident, residentId, n) {
  const t0 = Date.now();
  const page = await joinPage(browser, server, `Visitor ${n}`);
  let visitorId = null;
  let video = true;
  try {
    visitorId = await page.evaluate(() => window.kaigi.id);
    await waitConnected(page, 15000);
    try {
      await waitFor(
        async () => (framesFrom(await pageStats(page), residentId) ?? 0) >= 3,
        FRAMES_WAIT_MS,
        `visitor ${n} to decode frames from the resident`,
      );
    } catch (err) {
      const st = await pageStats(page);
      const slot = st.slots.find((s) => s.participant === residentId);
      log(`visit ${n}: ${err.message}; slot ${JSON.stringify(slot)}`);
      video = false;
    }
    await page.click('#leave');
    check((await page.evaluate(() => window.kaigi.state)) === 'left', `visitor ${n} is in state left`);
    await waitFor(
      () => resident.evaluate((id) => !window.kaigi.participants.some((p) => p.id === id), visitorId),
      10000,
      `the resident to see visitor ${n} (${visitorId}) leave`,
    );
  } catch (err) {
    await dumpPage(page);
    throw err;
  } finally {
    await closePage(page);
  }
  return { ms: Date.now() - t0, video };
}

// Waits until the figures are within tolerance of base (or SETTLE_MAX_MS pass); returns
// the last figures read.
async function settle(pid, base) {
  await sleep(SETTLE_MS);
  const deadline = Date.now() + SETTLE_MAX_MS;
  let f = procFigures(pid);
  while (
    Date.now() < deadline &&
    (f.threads > base.threads + THREADS_TOLERANCE || f.fds > base.fds + FDS_TOLERANCE)
  ) {
    await sleep(1000);
    f = procFigures(pid);
  }
  return f;
}

await runTest(
  'churn',
  async () => {
    const dir = tempDir();
    const silenceWav = makeSilenceWav(dir);
    const server = await new Server().start();
    const browser = await launchBrowser({ audioFile: silenceWav });
    const start = procFigures(server.pid);
    log(`server at start: ${formatFigures(start)}`);

    const resident = await joinPage(browser, server, 'Resident');
    try {
      await waitConnected(resident, 20000);
      const residentId = await resident.evaluate(() => window.kaigi.id);

      const warm = await visit(browser, server, resident, residentId, 0);
      log(`warm-up visit took ${warm.ms} ms`);
      await sleep(SETTLE_MS);
      const base = procFigures(server.pid);
      log(`baseline (resident in, after warm-up): ${formatFigures(base)}`);

      const times = [];
      const noVideo = [];
      let peak = { ...base };
      for (let n = 1; n <= CYCLES; n++) {
        const v = await visit(browser, server, resident, residentId, n);
        times.push(v.ms);
        if (!v.video) noVideo.push(n);
        const f = procFigures(server.pid);
        peak = {
          threads: Math.max(peak.threads, f.threads),
          fds: Math.max(peak.fds, f.fds),
          rssKb: Math.max(peak.rssKb, f.rssKb),
        };
        if (n % 10 === 0) log(`after ${n} visits: ${formatFigures(f)} (last visit ${times.at(-1)} ms)`);
        check(server.alive(), `the server is alive after visit ${n}`);
      }
      const after = await settle(server.pid, base);
      const status = await server.status();
      times.sort((a, b) => a - b);
      console.log('');
      console.log(`visits:    ${CYCLES}, median ${times[times.length >> 1]} ms, max ${times.at(-1)} ms`);
      console.log(`no video:  ${noVideo.length} visits${noVideo.length ? ` (${noVideo.join(', ')})` : ''}`);
      console.log(`            threads    fds   RSS MB`);
      const row = (label, f) =>
        console.log(
          `${label.padEnd(10)} ${String(f.threads).padStart(8)} ${String(f.fds).padStart(6)} ${(f.rssKb / 1024).toFixed(1).padStart(8)}`,
        );
      row('baseline', base);
      row('peak', peak);
      row('after', after);
      console.log(
        `growth     ${String(after.threads - base.threads).padStart(8)} ${String(after.fds - base.fds).padStart(6)} ${((after.rssKb - base.rssKb) / 1024).toFixed(1).padStart(8)}`,
      );
      console.log('');
      check(status?.participants === 1, `/api/status counts only the resident (got ${JSON.stringify(status)})`);
      check(
        after.threads <= base.threads + THREADS_TOLERANCE,
        `threads back to baseline: ${after.threads} <= ${base.threads} + ${THREADS_TOLERANCE}`,
      );
      check(after.fds <= base.fds + FDS_TOLERANCE, `fds back to baseline: ${after.fds} <= ${base.fds} + ${FDS_TOLERANCE}`);
      check(
        after.rssKb - base.rssKb <= RSS_TOLERANCE_KB,
        `RSS grew ${((after.rssKb - base.rssKb) / 1024).toFixed(1)} MB <= ${RSS_TOLERANCE_KB / 1024} MB`,
      );

      // The resident still has a working connection: a last visitor's video and audio reach it.
      check(
        (await resident.evaluate(() => window.kaigi.pc?.connectionState)) === 'connected',
        'the resident is still connected',
      );
      const last = await joinPage(browser, server, 'Last visitor');
      const lastId = await last.evaluate(() => window.kaigi.id);
      await waitConnected(last, 15000);
      await waitFor(
        async () => (framesFrom(await pageStats(resident), lastId) ?? 0) > 0,
        15000,
        'the resident to decode frames from the last visitor',
      );
      const r0 = await pageStats(resident);
      await sleep(2000);
      const r1 = await pageStats(resident);
      const frames = framesFrom(r1, lastId) - framesFrom(r0, lastId);
      const packets = r1.audio.packetsReceived - r0.audio.packetsReceived;
      log(`resident at the end: ${frames} frames decoded and ${packets} audio packets received in 2 s`);
      check(frames > 0, 'the resident still decodes video frames');
      check(packets > 0, 'the resident still receives audio packets');
      await closePage(last);
      check(
        noVideo.length === 0,
        `every visitor decoded video from the resident within ${FRAMES_WAIT_MS} ms (${noVideo.length} of ${CYCLES} did not)`,
      );
    } catch (err) {
      await dumpPage(resident);
      server.dumpLog(40);
      throw err;
    }
  },
  { timeoutMs: 230000 },
);
