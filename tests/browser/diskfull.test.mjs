// diskfull.test.mjs: the data folder's disk fills up in the middle of a recorded meeting.
//
// The server's data folder is on a small tmpfs of its own (mounted by the test; root). A
// chair and a member meet with recording on; after a few seconds a filler file takes every
// byte left on that disk. Then:
//   - the chair (who, with the secretariat, is told about recording problems) sees the
//     recording-failed notice;
//   - the meeting goes on: both pages keep decoding each other's video, a raised hand still
//     reaches the chair's queue;
//   - once space is back and the meeting is over: the manifest says the recording is
//     incomplete and why, every piece closed before the disk filled is unchanged (same
//     bytes) and decodes, and `kaigi-recorder repair` then `verify` pass.
// Prints the figures it measured. Exits 0 on pass.

import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  Server,
  check,
  closePage,
  framesFrom,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  manifestOf,
  onCleanup,
  pageStats,
  runRecorder,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

const DISK_MB = 64;

function mountTmpfs(dir) {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m`, 'kaigi-diskfull', dir], { encoding: 'utf8' });
  check(r.status === 0, `mount a ${DISK_MB} MB tmpfs for the data folder (needs root): ${r.stderr}`);
  onCleanup(() => spawnSync('umount', ['-l', dir]));
}

// Writes zeros into @file until the disk refuses (ENOSPC): the bytes written.
function fillDisk(file) {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const n = fs.writeSync(fd, chunk, 0, chunk.length);
      bytes += n;
      if (n < chunk.length) break;
    }
  } catch (err) {
    check(err.code === 'ENOSPC', `filling the disk ends with ENOSPC (${err.code})`);
  }
  // The last partial block: the write that failed may have left a little room.
  try {
    for (let i = 0; i < 4096; i++) bytes += fs.writeSync(fd, chunk, 0, 1024);
  } catch {}
  fs.closeSync(fd);
  return bytes;
}

const sha = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');


await runTest(
  'diskfull',
  async () => {
    const dir = tempDir();
    const disk = path.join(dir, 'disk');
    fs.mkdirSync(disk);
    mountTmpfs(disk);
    const silence = makeSilenceWav(dir);
    const conf = path.join(dir, 'kaigi.conf');
    fs.writeFileSync(conf, '[recorder]\nenabled = true\n');
    const server = new Server({ args: ['--config', conf], logDir: dir });
    server.dataDir = path.join(disk, 'data');
    await server.start();
    const browser = await launchBrowser({ audioFile: silence });

    const chair = await joinPage(browser, server, 'Chair', { url: await server.linkFor('Chair', 'chair') });
    const member = await joinPage(browser, server, 'Full Member');
    await Promise.all([waitConnected(chair), waitConnected(member)]);
    const chairId = await chair.evaluate(() => window.kaigi.id);
    const memberId = await member.evaluate(() => window.kaigi.id);
    await sleep(7000);

    // What the recorder has closed so far: it must come out of this unchanged.
    const before = manifestOf(server);
    const closed = before.sessions.flatMap((s) => s.pieces.filter((p) => p.media_end_us != null).map((p) => p.file));
    const hashes = new Map(closed.map((f) => [f, sha(path.join(server.dataDir, 'meetings', String(server.meetingId), f))]));
    check(closed.length >= 6, `pieces closed before the disk fills (${closed.length})`);

    // ---- the disk fills ----
    const filler = path.join(disk, 'filler');
    const t0 = Date.now();
    const filled = fillDisk(filler);
    log(`filled the disk with ${(filled / 1e6).toFixed(1)} MB; df: ${execFileSync('df', ['-k', disk], { encoding: 'utf8' }).trim().split('\n').pop()}`);
    await waitFor(
      async () => !(await chair.locator('#notice').isHidden()) && /Recording failed/.test(await chair.textContent('#notice')),
      20000,
      "the chair to be told that recording failed",
    );
    const tNotice = Date.now() - t0;
    const notice = (await chair.textContent('#notice')).trim();
    log(`chair's notice after ${tNotice} ms: "${notice}"`);
    check(await member.locator('#notice').isHidden(), 'a member is not told about recording problems');

    // ---- the meeting goes on ----
    const a = await Promise.all([pageStats(chair), pageStats(member)]);
    await sleep(4000);
    const b = await Promise.all([pageStats(chair), pageStats(member)]);
    const chairGot = framesFrom(b[0], memberId) - framesFrom(a[0], memberId);
    const memberGot = framesFrom(b[1], chairId) - framesFrom(a[1], chairId);
    log(`with the disk full, in 4 s: the chair decoded ${chairGot} frames of the member, the member ${memberGot} of the chair`);
    check(chairGot >= 20 && memberGot >= 20, 'video still flows both ways with the disk full');
    check(b.every((s) => s.pcState === 'connected'), 'both peer connections stay up');
    await member.click('#raise-hand');
    await waitFor(() => chair.locator(`#hands button[data-participant="${memberId}"]`).count(), 10000, "the raised hand in the chair's queue, with the disk full");

    // ---- space comes back; the meeting ends ----
    fs.unlinkSync(filler);
    await closePage(member);
    await closePage(chair);
    await sleep(4000); // the last sessions end and the manifest is written (within 0.5 s)
    const after = manifestOf(server);
    await server.stop();
    log(`manifest: complete ${after.complete}; ${JSON.stringify(after.incomplete)}`);
    check(after.complete === false, 'the recording is marked incomplete');
    check(after.incomplete?.some((i) => /No space left/.test(i.reason)), 'with the reason (no space left)');
    const failed = after.sessions.filter((s) => s.state === 'failed');
    check(failed.length >= 1, `sessions marked failed: ${failed.map((s) => s.track)}`);

    let same = 0;
    for (const [f, h] of hashes) {
      const file = path.join(server.dataDir, 'meetings', String(server.meetingId), f);
      check(fs.existsSync(file) && sha(file) === h, `${f} is unchanged`);
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', file], { encoding: 'utf8', timeout: 20000 }));
      check(Number(probe.format?.duration) > 0, `${f} decodes (${probe.format?.duration} s)`);
      same++;
    }
    log(`${same} pieces closed before the disk filled: unchanged and playable`);
    const rep = runRecorder(['repair', server.dataDir, String(server.meetingId)]);
    log(`repair:\n${rep.out}`);
    check(rep.status === 0, `repair passes (exit ${rep.status})`);
    const ver = runRecorder(['verify', server.dataDir, String(server.meetingId)]);
    log(`verify (last lines):\n${ver.out.trim().split('\n').slice(-4).join('\n')}`);
    check(ver.status === 0, `verify passes after repair (exit ${ver.status})`);
  },
  { timeoutMs: 150000 },
);
