// materials.test.mjs: the materials slot, through the real pages.
//
// Every participant's page has, after its camera slots, one materials slot (its own m-line).
// A presenter presses "Share screen" (Chromium's fake screen, 1280x720): the member's and the
// chair's pages show that screen in their materials tile, decoding its frames at the screen's
// size, and the presenter leaves the camera slots (their video is the screen); the presenter's
// own page shows no materials tile. Then the chair puts a material (a magenta PNG) on show
// from the console: the share ends (the presenter's button is released and their camera goes
// back), and every page's materials tile shows the material, decoded magenta. The chair takes
// the material off: the tile goes. Exits 0 on pass.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

import { Server, check, joinPage, launchBrowser, log, makeSilenceWav, runTest, tempDir, waitConnected, waitFor } from './lib.mjs';

// The materials slot as a page sees it: what it shows, its tile, and the inbound video on its
// m-line (frames decoded, size).
async function materials(page) {
  return page.evaluate(async () => {
    const k = window.kaigi;
    const m = k.materials;
    const tile = document.querySelector('.tile.materials');
    const out = {
      participant: m?.participant ?? null,
      material: m?.material ?? null,
      tileShown: !!tile && !tile.hidden,
      label: tile?.querySelector('.name')?.textContent ?? '',
      framesDecoded: 0,
      frameWidth: 0,
      slots: k.slots.map((s) => s.participant),
    };
    const tr = m ? k.pc?.getTransceivers()[m.mline] : null;
    if (!tr?.mid) return out;
    for (const s of (await k.pc.getStats()).values()) {
      if (s.type === 'inbound-rtp' && String(s.mid) === String(tr.mid)) {
        out.framesDecoded = s.framesDecoded ?? 0;
        out.frameWidth = s.frameWidth ?? 0;
      }
    }
    return out;
  });
}

// The mean colour of the materials tile's video (drawn into a canvas), as [r, g, b].
async function tileColour(page) {
  return page.evaluate(() => {
    const v = document.querySelector('.tile.materials video');
    if (!v || !v.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 18;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, 32, 18);
    const d = g.getImageData(8, 4, 16, 10).data; // the middle: no letterbox borders
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k] += d[i + k];
    return sum.map((x) => Math.round(x / (d.length / 4)));
  });
}

async function decodes(page, what, { minWidth = 0 } = {}) {
  const before = (await materials(page)).framesDecoded;
  await waitFor(
    async () => {
      const m = await materials(page);
      return m.framesDecoded > before + 3 && m.frameWidth >= minWidth;
    },
    15000,
    `${page.kaigiName} to decode ${what} in its materials slot`,
  );
  return materials(page);
}

await runTest(
  'materials',
  async () => {
    const dir = tempDir();
    const conf = path.join(dir, 'kaigi.conf');
    fs.writeFileSync(conf, '[media]\nslots = 2\n[minutes]\nasr-engine = none\n[recorder]\nenabled = false\n');
    const server = await new Server({ args: ['--config', conf] }).start();
    const browser = await launchBrowser({
      audioFile: makeSilenceWav(dir),
      extraArgs: ['--auto-select-desktop-capture-source=Entire screen'],
    });
    const meetingId = await server.testMeeting();
    const chairUrl = await server.linkFor('Chair', 'chair');
    const presenterUrl = await server.linkFor('Presenter', 'presenter');
    // The material the chair will show, uploaded beforehand as the secretariat does.
    const doc = await server.api('GET', `/api/meetings/${meetingId}`);
    const png = path.join(dir, 'magenta.png');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0xFF00FF:s=320x240', '-frames:v', '1', '-y', png], { timeout: 20000 });
    const res = await fetch(`${server.base}/api/meetings/${meetingId}/agenda/${doc.agenda[0].id}/materials?name=${encodeURIComponent('資料1.png')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': 'image/png' },
      body: fs.readFileSync(png),
    });
    check(res.status === 201, `the material uploaded (${res.status})`);
    const materialId = (await res.json()).id;

    const chair = await joinPage(browser, server, 'Chair', { url: chairUrl });
    const presenter = await joinPage(browser, server, 'Presenter', { url: presenterUrl });
    const member = await joinPage(browser, server, 'Member');
    const pages = [chair, presenter, member];
    await Promise.all(pages.map((p) => waitConnected(p, 20000)));
    const ids = new Map();
    for (const p of pages) ids.set(p, await p.evaluate(() => window.kaigi.id));
    const pid = ids.get(presenter);

    check(await presenter.isVisible('#share-screen'), 'the presenter has a "Share screen" button');
    check(await chair.isVisible('#share-screen'), 'the chair has a "Share screen" button');
    check(!(await member.isVisible('#share-screen')), 'a member has none');
    for (const p of pages) check(!(await materials(p)).tileShown, `${p.kaigiName}: no materials tile while nothing is shown`);
    await waitFor(async () => (await materials(member)).slots.includes(pid), 15000, "the presenter's camera in the member's slots");

    // ---- the presenter shares their screen ----
    await presenter.click('#share-screen');
    await waitFor(() => presenter.evaluate(() => window.kaigi.sharingScreen), 10000, 'the presenter page to share');
    check((await presenter.getAttribute('#share-screen', 'aria-pressed')) === 'true', 'the share button is pressed');
    for (const p of [member, chair]) {
      await waitFor(async () => (await materials(p)).participant === pid, 10000, `${p.kaigiName}'s materials slot to show the presenter's screen`);
      const m = await decodes(p, "the presenter's screen", { minWidth: 960 });
      check(m.tileShown && m.label.includes('Presenter'), `${p.kaigiName}'s materials tile is shown and names the sharer ("${m.label}")`);
      check(!m.slots.includes(pid), `${p.kaigiName}'s camera slots no longer show the presenter (${m.slots.join(', ')})`);
      log(`${p.kaigiName} decodes the shared screen at ${m.frameWidth} px wide (${m.framesDecoded} frames)`);
    }
    const own = await materials(presenter);
    check(own.participant === null && !own.tileShown, 'the presenter does not get their own screen back');
    check((await server.api('GET', `/api/meetings/${meetingId}`)).id === meetingId, 'the REST API still answers');

    // ---- the chair shows a material: the share ends, the material takes the slot ----
    await waitFor(async () => (await chair.locator(`#program-source option[value="m:${materialId}"]`).count()) === 1, 10000, 'the material in the console');
    await chair.selectOption('#program-source', `m:${materialId}`);
    await waitFor(() => presenter.evaluate(() => !window.kaigi.sharingScreen), 10000, "the presenter's share to end");
    check((await presenter.getAttribute('#share-screen', 'aria-pressed')) === 'false', "the presenter's share button is released");
    for (const p of pages) {
      await waitFor(async () => (await materials(p)).material === materialId, 15000, `${p.kaigiName}'s materials slot to show the material`);
      const m = await decodes(p, 'the material');
      check(m.tileShown && m.participant === null, `${p.kaigiName}'s materials tile shows the material`);
      const colour = await waitFor(
        async () => {
          const c = await tileColour(p);
          return c && c[0] > 180 && c[1] < 80 && c[2] > 180 ? c : null;
        },
        10000,
        `${p.kaigiName}'s materials tile to be magenta`,
      );
      log(`${p.kaigiName} shows the material: colour ${colour.join(',')}`);
    }
    await waitFor(async () => (await materials(member)).slots.includes(pid), 15000, "the presenter's camera back in the member's slots");

    // ---- off again ----
    await chair.selectOption('#program-source', '');
    for (const p of pages) await waitFor(async () => !(await materials(p)).tileShown, 10000, `${p.kaigiName}'s materials tile to go`);
  },
  { timeoutMs: 150000 },
);
