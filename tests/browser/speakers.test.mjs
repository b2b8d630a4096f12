// speakers.test.mjs: the video slots follow whoever talks (last-N), through the real pages.
//
// The server gives each participant K = 2 slots ([media] slots). Four people join in this
// order: two silent ones (Quiet A, Quiet B) and two talkers whose fake microphones play a
// tone (Talker 1, Talker 2), the talkers' mics off from the start. With nobody speaking the
// slots are in join order, so Quiet A sees Quiet B and Talker 1, not Talker 2. Then:
//   - Talker 2 turns the mic on: every other page marks Talker 2 as speaking (`speaking`, the
//     tile's frame) and shows Talker 2 in a slot, decoding its video;
//   - Talker 2 stops, Talker 1 talks: every other page follows Talker 1 the same way, and
//     Talker 2, who spoke last before, stays shown where two slots allow it;
//   - no page ever shows itself.
// Prints how long each page took to follow. Exits 0 on pass.

import fs from 'node:fs';
import path from 'node:path';

import {
  Server,
  check,
  framesFrom,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  makeToneWav,
  pageStats,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

// 3 s of silence, then 7 s of a tone at -15 dBFS (Chromium loops it): a talker that joins is
// silent long enough for its mic to be turned off before anything of it is heard.
// The participant ids a page's slots show, and those it marks as speaking (tiles framed).
async function view(page) {
  return page.evaluate(() => ({
    id: window.kaigi.id,
    slots: window.kaigi.slots.map((s) => s.participant),
    speaking: window.kaigi.speaking,
    framed: [...document.querySelectorAll('.tile.speaking')].map((t) => (t.dataset.self !== undefined ? 'self' : t.dataset.participant)),
  }));
}

async function setMic(page, on) {
  const audioOn = await page.evaluate(() => document.querySelector('#mute-audio').getAttribute('aria-pressed') === 'false');
  if (audioOn !== on) await page.click('#mute-audio');
}

// Waits until every page but the talker's shows @talker in a slot and marks it speaking (the
// milliseconds each page took from @since, returned; they include the up to 3 s of silence
// in the tone file's loop), then decodes frames from it.
async function follow(pages, talker, ids, since) {
  const took = new Map();
  const one = async (p) => {
    await waitFor(
      async () => {
        const v = await view(p);
        return v.slots.includes(ids.get(talker)) && v.speaking.includes(ids.get(talker)) && v.framed.includes(ids.get(talker));
      },
      15000,
      `${p.kaigiName} to show and frame ${talker.kaigiName}`,
    );
    took.set(p, Date.now() - since);
    const before = framesFrom(await pageStats(p), ids.get(talker)) ?? 0;
    await waitFor(
      async () => (framesFrom(await pageStats(p), ids.get(talker)) ?? 0) > before + 10,
      10000,
      `${p.kaigiName} to decode ${talker.kaigiName}'s video in its slot`,
    );
  };
  await Promise.all(pages.filter((p) => p !== talker).map(one));
  return took;
}

await runTest(
  'speakers',
  async () => {
    const dir = tempDir();
    const conf = path.join(dir, 'kaigi.conf');
    // Two slots for four people; what this test does not look at stays off (CPU).
    fs.writeFileSync(conf, '[media]\nslots = 2\n[minutes]\nasr-engine = none\n[recorder]\nenabled = false\n[public]\nenabled = false\n');
    const server = await new Server({ args: ['--config', conf] }).start();
    const silent = await launchBrowser({ audioFile: makeSilenceWav(dir), label: 'silent chromium' });
    const tone1 = await launchBrowser({ audioFile: makeToneWav(dir, 440, { seconds: 7, silence: 3 }), label: 'talker 1 chromium' });
    const tone2 = await launchBrowser({ audioFile: makeToneWav(dir, 660, { seconds: 7, silence: 3 }), label: 'talker 2 chromium' });

    const qa = await joinPage(silent, server, 'Quiet A');
    const qb = await joinPage(silent, server, 'Quiet B');
    const t1 = await joinPage(tone1, server, 'Talker 1');
    await setMic(t1, false); // before its media connects: nothing of it reaches the mix
    const t2 = await joinPage(tone2, server, 'Talker 2');
    await setMic(t2, false);
    const pages = [qa, qb, t1, t2];
    await Promise.all(pages.map((p) => waitConnected(p, 20000)));
    const ids = new Map();
    for (const p of pages) ids.set(p, await p.evaluate(() => window.kaigi.id));
    log(`joined: ${pages.map((p) => `${p.kaigiName}=${ids.get(p)}`).join(', ')}`);

    // Nobody spoke yet: join order, never oneself.
    await waitFor(async () => (await view(qa)).slots.filter(Boolean).length === 2, 15000, "Quiet A's two slots");
    const first = await view(qa);
    log(`Quiet A's slots before anyone talks: ${first.slots.join(', ')}`);
    check(
      first.slots.includes(ids.get(qb)) && first.slots.includes(ids.get(t1)) && !first.slots.includes(ids.get(t2)),
      'with nobody speaking, Quiet A sees the first others in join order (not Talker 2)',
    );
    check(first.speaking.length === 0, `nobody is marked speaking yet (${first.speaking.join(',')})`);

    // Talker 2 talks.
    let since = Date.now();
    await setMic(t2, true);
    let took = await follow(pages, t2, ids, since);
    log(`Talker 2 talks: followed after ${[...took].map(([p, ms]) => `${p.kaigiName} ${ms} ms`).join(', ')}`);
    const qa2 = await view(qa);
    check(qa2.slots.includes(ids.get(qb)), `Quiet A keeps Quiet B, replaces Talker 1 (who never spoke): ${qa2.slots.join(', ')}`);
    check((await view(t2)).framed.includes('self'), "Talker 2's own page frames its own tile");

    // Talker 2 stops, Talker 1 talks.
    await setMic(t2, false);
    await waitFor(async () => !(await view(qa)).speaking.includes(ids.get(t2)), 5000, 'Talker 2 to stop speaking');
    since = Date.now();
    await setMic(t1, true);
    took = await follow(pages, t1, ids, since);
    log(`Talker 1 talks: followed after ${[...took].map(([p, ms]) => `${p.kaigiName} ${ms} ms`).join(', ')}`);
    for (const p of [qa, qb]) {
      const v = await view(p);
      check(
        v.slots.includes(ids.get(t1)) && v.slots.includes(ids.get(t2)),
        `${p.kaigiName} shows the two last speakers: ${v.slots.join(', ')}`,
      );
    }
    await setMic(t1, false);
    await sleep(500);

    for (const p of pages) {
      const v = await view(p);
      check(!v.slots.includes(v.id), `${p.kaigiName} never sees itself (${v.slots.join(', ')})`);
    }
  },
  { timeoutMs: 150000 },
);
