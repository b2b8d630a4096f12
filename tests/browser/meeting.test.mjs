// meeting.test.mjs: three people meet through the real page in headless Chromium.
//
// A talker (its own Chromium, whose fake microphone plays flite speech) and two silent
// participants (a second Chromium with a silent fake microphone) join. Checked:
//   - every page decodes video from both others (the slot -> m-line mapping of `slots`);
//   - the silent pages hear the talker (inbound audio energy grows), and the talker hears
//     near silence (mix-minus: its own voice does not come back);
//   - muting the mic and the camera reaches the others (participant-updated, icons);
//   - #leave reaches the others (participant-left) and the server's count;
//   - the language switch is applied and remembered.
// Prints the figures it measured. Exits 0 on pass.

import {
  Server,
  audioPower,
  check,
  closePage,
  dumpPage,
  framesFrom,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  makeSpeechWav,
  pageStats,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

// Mean energy per second (audioLevel² averaged) that counts as hearing speech, and the
// bound for "near silence". Measured: speech through the mix gives ~1e-2, silence < 1e-6.
const SPEECH_POWER_MIN = 1e-3;
const SILENCE_POWER_MAX = 1e-4;
const MEASURE_MS = 6000;

await runTest(
  'meeting',
  async () => {
    const dir = tempDir();
    const talkerWav = makeSpeechWav(dir);
    const silenceWav = makeSilenceWav(dir);
    const server = await new Server().start();
    const st0 = await server.status();
    log(`server status: ${JSON.stringify(st0)}`);

    const talkerBrowser = await launchBrowser({ audioFile: talkerWav, label: 'talker chromium' });
    const silentBrowser = await launchBrowser({ audioFile: silenceWav, label: 'silent chromium' });

    const talker = await joinPage(talkerBrowser, server, 'Talker');
    const quiet1 = await joinPage(silentBrowser, server, 'Quiet One');
    const quiet2 = await joinPage(silentBrowser, server, '静か 二郎', { lang: 'ja' });
    const pages = [talker, quiet1, quiet2];
    try {
      await Promise.all(pages.map((p) => waitConnected(p, 20000)));
      const ids = new Map();
      for (const p of pages) ids.set(p, await p.evaluate(() => window.kaigi.id));
      log(`joined: ${pages.map((p) => `${p.kaigiName}=${ids.get(p)}`).join(', ')}`);
      check(new Set(ids.values()).size === 3, 'the three pages got distinct ids');

      // Each page shows both others in its slots.
      for (const p of pages) {
        const others = pages.filter((o) => o !== p).map((o) => ids.get(o));
        await waitFor(
          async () => {
            const slots = await p.evaluate(() => window.kaigi.slots);
            return others.every((id) => slots.some((s) => s.participant === id));
          },
          15000,
          `${p.kaigiName}'s slots to show both others`,
        );
      }
      const status = await server.status();
      check(status?.participants === 3, `/api/status counts 3 participants (got ${JSON.stringify(status)})`);

      // Let video start flowing, then measure over a window.
      await sleep(2000);
      const before = await Promise.all(pages.map(pageStats));
      await sleep(MEASURE_MS);
      const after = await Promise.all(pages.map(pageStats));

      console.log('\npage         from           slot  frames(window)  frames(total)  size');
      for (const [i, p] of pages.entries()) {
        for (const o of pages.filter((x) => x !== p)) {
          const oid = ids.get(o);
          const slot = after[i].slots.find((s) => s.participant === oid);
          const total = framesFrom(after[i], oid);
          const start = framesFrom(before[i], oid) ?? 0;
          const win = total - start;
          console.log(
            `${p.kaigiName.padEnd(12)} ${o.kaigiName.padEnd(14)} ${String(slot?.index).padStart(4)}  ${String(win).padStart(14)}  ${String(total).padStart(13)}  ${slot?.frameWidth}x${slot?.frameHeight}`,
          );
          check(total > 0, `${p.kaigiName} decodes video frames from ${o.kaigiName} (framesDecoded ${total})`);
          check(win > 0, `${p.kaigiName} keeps decoding frames from ${o.kaigiName} (${win} in ${MEASURE_MS} ms)`);
        }
      }

      console.log('\npage         audio packets  energy(window)  seconds  power');
      const power = new Map();
      for (const [i, p] of pages.entries()) {
        const a = audioPower(before[i], after[i]);
        power.set(p, a.power);
        console.log(
          `${p.kaigiName.padEnd(12)} ${String(after[i].audio.packetsReceived).padStart(13)}  ${a.energy.toExponential(3).padStart(14)}  ${a.seconds.toFixed(2).padStart(7)}  ${a.power.toExponential(3)}`,
        );
        check(a.seconds > MEASURE_MS / 1000 / 2, `${p.kaigiName} plays received audio (${a.seconds.toFixed(2)} s)`);
      }
      console.log('');
      for (const p of [quiet1, quiet2])
        check(
          power.get(p) > SPEECH_POWER_MIN,
          `${p.kaigiName} hears the talker: audio power ${power.get(p).toExponential(3)} > ${SPEECH_POWER_MIN}`,
        );
      check(
        power.get(talker) < SILENCE_POWER_MAX,
        `the talker does not hear itself: audio power ${power.get(talker).toExponential(3)} < ${SILENCE_POWER_MAX}`,
      );

      // Mute the mic on one page, the camera on another: the others see it.
      const seen = async (page, id, member, value) =>
        waitFor(
          async () => {
            const ps = await page.evaluate(() => window.kaigi.participants);
            const tileIcon = await page.evaluate(
              ({ id, cls }) => {
                const icon = document.querySelector(`[data-slot][data-participant="${id}"] .${cls}`);
                return icon ? !icon.hidden : null;
              },
              { id, cls: member === 'audio' ? 'mic-off' : 'cam-off' },
            );
            return ps.find((x) => x.id === id)?.[member] === value && tileIcon === !value;
          },
          5000,
          `${page.kaigiName} to see ${id} ${member}=${value}`,
        );

      const t0 = Date.now();
      await quiet1.click('#mute-audio');
      check(
        (await quiet1.getAttribute('#mute-audio', 'aria-pressed')) === 'true',
        '#mute-audio shows pressed after muting',
      );
      check(
        await quiet1.evaluate(() => window.kaigi.pc.getTransceivers()[0].sender.track?.enabled === false),
        'muting disables the local audio track',
      );
      await seen(talker, ids.get(quiet1), 'audio', false);
      await seen(quiet2, ids.get(quiet1), 'audio', false);
      log(`mic mute seen by both others after ${Date.now() - t0} ms`);
      await quiet2.click('#mute-video');
      await seen(talker, ids.get(quiet2), 'video', false);
      await seen(quiet1, ids.get(quiet2), 'video', false);
      await quiet1.click('#mute-audio');
      await seen(talker, ids.get(quiet1), 'audio', true);
      await quiet2.click('#mute-video');
      await seen(quiet1, ids.get(quiet2), 'video', true);
      log('mute and unmute of mic and camera seen by the others');

      // The language switch applies at once and is remembered.
      await quiet2.selectOption('#lang', 'en');
      check((await quiet2.textContent('#leave')).trim() === 'Leave', '#lang switches to English');
      await quiet2.selectOption('#lang', 'ja');
      check((await quiet2.textContent('#leave')).trim() === '退出する', '#lang switches to Japanese');

      // Leave with the button: the others see participant-left, the server counts 2.
      const leaverId = ids.get(quiet2);
      const t1 = Date.now();
      await quiet2.click('#leave');
      check((await quiet2.evaluate(() => window.kaigi.state)) === 'left', 'the leaver is in state left');
      for (const p of [talker, quiet1]) {
        await waitFor(
          () =>
            p.evaluate(
              (id) =>
                window.kaigi.events.some((e) => e.type === 'participant-left' && e.id === id) &&
                !window.kaigi.participants.some((x) => x.id === id) &&
                !window.kaigi.slots.some((s) => s.participant === id) &&
                !document.querySelector(`[data-slot][data-participant="${id}"]`),
              leaverId,
            ),
          5000,
          `${p.kaigiName} to see ${leaverId} leave`,
        );
      }
      log(`participant-left seen by both others after ${Date.now() - t1} ms`);
      await waitFor(
        async () => (await server.status())?.participants === 2,
        5000,
        '/api/status to count 2 participants',
      );
      await quiet2.reload();
      check((await quiet2.inputValue('#lang')) === 'ja', 'the chosen language is remembered after reload');
      // The join link still works after a reload: the page comes back into the meeting.
      await waitFor(() => quiet2.evaluate(() => window.kaigi.state === 'joined'), 15000, 'the reloaded page to rejoin');
      check((await quiet2.textContent('#leave')).trim() === '退出する', 'the rejoined page is in Japanese');
      await closePage(quiet2);

      // The two who stayed still get media from each other.
      const s0 = await Promise.all([talker, quiet1].map(pageStats));
      await sleep(2000);
      const s1 = await Promise.all([talker, quiet1].map(pageStats));
      check(
        framesFrom(s1[0], ids.get(quiet1)) > framesFrom(s0[0], ids.get(quiet1)),
        'the talker still decodes frames from Quiet One after the leave',
      );
      check(
        framesFrom(s1[1], ids.get(talker)) > framesFrom(s0[1], ids.get(talker)),
        'Quiet One still decodes frames from the talker after the leave',
      );
    } catch (err) {
      for (const p of pages) await dumpPage(p);
      server.dumpLog(40);
      throw err;
    }
  },
  { timeoutMs: 85000 },
);
