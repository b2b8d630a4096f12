// chair.test.mjs: a committee meeting run the way a town runs it, in real Chromium pages.
//
// The secretariat signs in on admin.html and prepares the meeting in the form (venues, agenda,
// roster of a chair, an online member, a member in the room and one who will not come), saves
// it and makes the join links. The chair and the online member join with their links; the
// secretariat's console joins too (no media). The chair opens the meeting and takes up the
// first agenda item; the member raises a hand; the chair sees it in the queue and gives the
// floor; the member's page shows it, and so does the main venue's room display (venue link);
// then the floor goes to someone sitting in the venue, named on that display. The secretariat marks the in-room member present, the
// chair records 了承 and adjourns. The attendance report (the admin page and the REST API)
// lists the online member with join/leave times, the in-room member, and the absent one, and
// the timeline holds the whole meeting. The archive page then plays the recorded program,
// with the agenda item and both speakers as chapters; a chapter seeks to its time. On the way,
// the chair puts two materials on the broadcast (a PNG, and a PDF's first page), seen in the
// public HLS picture.
// Exits 0 on pass.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  Server,
  check,
  dumpPage,
  launchBrowser,
  log,
  makeSilenceWav,
  makeStatementsWav,
  runTest,
  sleep,
  tempDir,
  waitFor,
} from './lib.mjs';

const visible = (page, sel) => page.locator(sel).isVisible();

// A one-page PDF filled with one colour (r, g, b in 0..1), written by hand.
function colourPdf(r, g, b) {
  const content = `${r} ${g} ${b} rg 0 0 640 360 re f`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// The mean colour of the centre (a quarter of the width and half the height: no borders, no
// caption) of a frame from the middle of the newest finished HLS segment.
function programColour(dataDir, meeting) {
  const dir = path.join(dataDir, 'hls', String(meeting));
  const list = fs.readFileSync(path.join(dir, 'index.m3u8'), 'utf8').split('\n').filter((l) => l.endsWith('.ts'));
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(dir, list.at(-1)), '-vf', 'select=eq(n\\,10),scale=32:18', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { timeout: 20000 });
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 5; y < 13; y++)
    for (let x = 12; x < 20; x++, n++) for (let c = 0; c < 3; c++) sum[c] += raw[(y * 32 + x) * 3 + c];
  return sum.map((v) => Math.round(v / n));
}

async function openPage(browser, url, label, lang = 'ja') {
  const context = await browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.kaigiName = label;
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => d.accept()); // confirmations (adjourn)
  await page.goto(url);
  return page;
}

async function joined(page) {
  await waitFor(
    async () => {
      const s = await page.evaluate(() => window.kaigi?.state);
      check(s !== 'error' && s !== 'left', `${page.kaigiName}: page state ${s}`);
      return s === 'joined';
    },
    20000,
    `${page.kaigiName} to join`,
  );
}

const meetingState = (page) => page.evaluate(() => window.kaigi.meetingState);

await runTest(
  'chair',
  async () => {
    const dir = tempDir();
    const silence = makeSilenceWav(dir);
    const server = await new Server().start();
    const browser = await launchBrowser({ audioFile: silence });
    // The online member speaks (English: the embedded recogniser's language); the minutes
    // transcribe it, and the archive lists and captions what was said in public.
    const speech = makeStatementsWav(dir, [
      'I would like to ask about the schedule for the road repairs.',
      'The committee should publish the plan before the next meeting.',
    ]);
    const memberBrowser = await launchBrowser({ audioFile: speech, label: 'member chromium' });
    const pages = [];
    try {
      // ---- the secretariat prepares the meeting in admin.html ----
      const password = (await import('node:fs')).readFileSync(`${server.dataDir}/initial-admin-password`, 'utf8').trim();
      const admin = await openPage(browser, `${server.base}/admin.html`, 'secretariat');
      pages.push(admin);
      await admin.fill('#login-name', 'admin');
      await admin.fill('#login-password', 'wrong password');
      await admin.click('#login-submit');
      await waitFor(() => visible(admin, '#login-error'), 10000, 'a wrong password to be refused');
      await admin.fill('#login-password', password);
      await admin.click('#login-submit');
      await waitFor(() => admin.evaluate(() => !!window.kaigi.account), 10000, 'the secretariat to sign in');
      await admin.click('#new-meeting');
      await admin.fill('#f-body', 'テスト町デジタル推進委員会');
      await admin.fill('#f-title', '令和8年度 第1回 テスト町デジタル推進委員会');
      await admin.fill('#f-number', '第1回');
      await admin.fill('#f-scheduled', '2026-11-23T14:00');
      await admin.fill('#venues-body > tr:nth-child(1) input[type=text]', '本庁舎 第1会議室');
      await admin.fill('#venues-body > tr:nth-child(2) input[type=text]', 'オンライン');
      await admin.fill('#agenda-body > tr:nth-child(1) td:nth-child(1) input', '議題1');
      await admin.fill('#agenda-body > tr:nth-child(1) td:nth-child(2) input', 'DX推進計画（案）について');
      const people = [
        ['金子 一郎', '会長', 'chair', '本庁舎 第1会議室'],
        ['市川 花子', '委員', 'member', 'オンライン'],
        ['石井 次郎', '委員', 'member', '本庁舎 第1会議室'],
        ['根本 三郎', '委員', 'member', 'オンライン'],
      ];
      for (let i = 0; i < people.length; i++) {
        if (i > 0) await admin.click('#add-person');
        const row = `#roster-body > tr:nth-child(${i + 1})`;
        const [name, title, role, site] = people[i];
        await admin.fill(`${row} td:nth-child(1) input`, name);
        await admin.fill(`${row} td:nth-child(2) input`, title);
        await admin.selectOption(`${row} td:nth-child(3) select`, role);
        await admin.selectOption(`${row} td:nth-child(4) select`, site);
      }
      await admin.click('#save-meeting');
      const doc = await waitFor(() => admin.evaluate(() => (window.kaigi.current?.id ? window.kaigi.current : null)), 10000, 'the meeting to be saved');
      check(doc.roster.length === 4 && doc.venues.length === 2, `saved with 4 people and 2 venues (${JSON.stringify(doc.roster)})`);
      const stored = await server.api('GET', `/api/meetings/${doc.id}`);
      check(stored.title === '令和8年度 第1回 テスト町デジタル推進委員会' && stored.scheduled_at.startsWith('2026-11-23T14:00'), 'the server has the title and time as typed');
      const rosterId = Object.fromEntries(stored.roster.map((r) => [r.name, r.id]));
      await admin.click('#links-button');
      const links = await waitFor(async () => {
        const l = await admin.evaluate(() => window.kaigi.links);
        return l.length ? l : null;
      }, 10000, 'the join links');
      const linkOf = (pred) => new URL(links.find(pred).url, server.base).href;
      log(`meeting ${doc.id} prepared in the form; ${links.length} links`);
      // Materials for the broadcast: a picture and a PDF (uploaded as the secretariat does).
      const itemIdForMaterials = stored.agenda[0].id;
      const upload = async (name, type, body) => {
        const res = await fetch(`${server.base}/api/meetings/${doc.id}/agenda/${itemIdForMaterials}/materials?name=${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await server.signIn()}`, 'content-type': type },
          body,
        });
        check(res.status === 201, `${name} uploaded (${res.status})`);
        return (await res.json()).id;
      };
      const pngFile = path.join(dir, 'magenta.png');
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0xFF00FF:s=320x240', '-frames:v', '1', '-y', pngFile], { timeout: 20000 });
      const pngId = await upload('資料1 図.png', 'image/png', fs.readFileSync(pngFile));
      const pdfId = await upload('資料2 計画.pdf', 'application/pdf', colourPdf(0, 0.8, 0));

      // ---- people join with their links ----
      const chair = await openPage(browser, linkOf((l) => l.name === '金子 一郎'), 'chair');
      const member = await openPage(memberBrowser, linkOf((l) => l.name === '市川 花子'), 'member');
      const console_ = await openPage(browser, linkOf((l) => l.kind === 'console'), 'console');
      const venue = await openPage(browser, linkOf((l) => l.kind === 'venue' && l.name === '本庁舎 第1会議室'), 'venue');
      pages.push(chair, member, console_, venue);
      await Promise.all([joined(chair), joined(member), joined(console_), joined(venue)]);
      check((await venue.evaluate(() => document.body.dataset.view)) === 'venue', 'the room PC shows the venue view');
      check((await chair.evaluate(() => window.kaigi.you.role)) === 'chair', 'the chair joined as chair');
      check((await member.evaluate(() => window.kaigi.you.role)) === 'member', 'the member joined as member');
      check((await console_.evaluate(() => document.body.dataset.view)) === 'chair', 'the secretariat console shows the chair controls');
      check(!(await visible(member, '#state-open')), 'the member page has no state buttons');

      // ---- the chair opens the meeting and takes up item 1 ----
      await chair.click('#state-open');
      await waitFor(async () => (await meetingState(member))?.state === 'public', 10000, 'the member to see the meeting open (public)');
      const itemId = stored.agenda[0].id;
      await chair.click(`#agenda-list button[data-item="${itemId}"]`);
      await waitFor(async () => (await meetingState(member))?.item === itemId, 10000, 'the member to see the agenda item');
      check((await member.textContent('#agenda-text')).includes('DX推進計画'), 'the member page shows the agenda item');

      // ---- hand, queue, floor ----
      const memberId = await member.evaluate(() => window.kaigi.id);
      const t0 = Date.now();
      await member.focus('#raise-hand'); // by keyboard
      await member.keyboard.press('Enter');
      await waitFor(() => chair.locator(`#hands button[data-participant="${memberId}"]`).count(), 10000, 'the raised hand in the chair\'s queue');
      const tQueue = Date.now() - t0;
      check((await member.getAttribute('#raise-hand', 'aria-pressed')) === 'true', 'the hand button is pressed');
      const t1 = Date.now();
      await chair.click(`#hands button[data-participant="${memberId}"]`);
      await waitFor(() => visible(member, '#floor-you'), 10000, 'the member page to show that they have the floor');
      const tFloor = Date.now() - t1;
      check((await member.textContent('#floor-text')).includes('市川'), 'the floor names the member');
      check((await chair.textContent('#floor-text')).includes('市川'), 'the chair page names the speaker');
      check((await member.getAttribute('#raise-hand', 'aria-pressed')) === 'false', 'the hand goes down with the floor');
      check((await chair.locator('#hands button[data-action=give]').count()) === 0, 'the queue is empty');
      log(`hand in the chair's queue after ${tQueue} ms; floor shown on the member's page after ${tFloor} ms`);

      // ---- the public program's picture: the speaker by itself, the chair's choice by hand ----
      const chairId = await chair.evaluate(() => window.kaigi.id);
      const program = async () => (await meetingState(console_))?.program ?? {};
      await waitFor(async () => (await program()).showing === memberId, 10000, 'the program to show the member who has the floor');
      check((await program()).live === true && (await program()).pinned === null, 'the program is live and chosen automatically');
      await chair.selectOption('#program-source', chairId);
      await waitFor(async () => (await program()).showing === chairId, 10000, 'the program to show the camera the chair chose');
      check((await program()).pinned === chairId, 'the choice is pinned');
      check((await chair.textContent('#program-showing')).includes('金子'), 'the console says whose camera the public sees');
      // A material instead of a camera: the picture, then the PDF's first page.
      for (const [id, want, what] of [[pngId, (c) => c[0] > 180 && c[1] < 80 && c[2] > 180, 'magenta picture'], [pdfId, (c) => c[1] > 150 && c[0] < 80 && c[2] < 80, 'green PDF page']]) {
        await chair.selectOption('#program-source', `m:${id}`);
        await waitFor(async () => (await program()).material === id && (await program()).material_shown === true, 15000, `the program to show the ${what}`);
        await waitFor(async () => want(programColour(server.dataDir, doc.id)), 15000, `the public HLS picture to be the ${what}`);
        log(`program shows the ${what}: HLS colour ${programColour(server.dataDir, doc.id)}`);
      }
      check((await chair.textContent('#program-showing')).includes('資料2 計画.pdf'), 'the console names the material on air');
      await console_.selectOption('#program-source', '');
      await waitFor(async () => (await program()).showing === memberId && (await program()).pinned === null && (await program()).material === null, 10000, 'the secretariat to give the choice back to the room');
      await waitFor(async () => (await venue.textContent('#speaker-name')).includes('市川'), 10000, 'the venue display to name the online speaker');

      // The floor to someone sitting in the main venue: their name on the room display, the
      // venue's audio carries the speech.
      await chair.selectOption('#venue-person', String(rosterId['石井 次郎']));
      await chair.click('#give-roster');
      await waitFor(async () => (await venue.textContent('#speaker-name')).includes('石井'), 10000, 'the venue display to name the in-room speaker');
      const fl = (await meetingState(member)).floor;
      const venueId = await venue.evaluate(() => window.kaigi.id);
      check(fl.name === '石井 次郎' && fl.venue === '本庁舎 第1会議室' && fl.participant === venueId, `the floor goes through the venue: ${JSON.stringify(fl)}`);

      // ---- the secretariat marks the in-room member in the admin page ----
      await admin.click('#attendance-refresh');
      const box = `#att-room-${rosterId['石井 次郎']}`;
      await waitFor(() => admin.locator(box).count(), 10000, 'the attendance table');
      await admin.check(box);
      await waitFor(
        async () => ((await meetingState(chair))?.in_room ?? []).includes(rosterId['石井 次郎']),
        10000,
        'the live meeting to know the in-room mark',
      );
      const q = (await meetingState(chair)).quorum;
      check(q.online === 2 && q.in_room === 1 && q.absent === 1, `live quorum counts online 2 (chair, member), in room 1, absent 1: ${JSON.stringify(q)}`);
      await waitFor(async () => (await chair.textContent('#quorum')).includes('3'), 5000, 'the chair page to show the quorum');

      // ---- 了承, end of the floor, adjourn ----
      await chair.click('#approve');
      await waitFor(async () => (await meetingState(member))?.decisions?.length === 1, 10000, 'the decision to reach everyone');
      await chair.click('#take-floor');
      await waitFor(async () => !(await visible(member, '#floor-you')), 10000, 'the floor to end on the member page');
      await member.click('#leave');
      await chair.click('#state-adjourned');
      await waitFor(async () => (await meetingState(console_))?.state === 'adjourned', 10000, 'the meeting to be adjourned');

      // ---- attendance after the meeting ----
      const att = await server.api('GET', `/api/meetings/${doc.id}/attendance`);
      const by = Object.fromEntries(att.members.map((m) => [m.name, m]));
      check(by['市川 花子'].status === 'online', 'the online member is present online');
      check(by['市川 花子'].sessions.length >= 1 && by['市川 花子'].sessions[0].left_at_us > by['市川 花子'].sessions[0].joined_at_us, 'with join and leave times');
      check(by['金子 一郎'].status === 'online', 'the chair joined online');
      check(by['石井 次郎'].status === 'in-room', 'the in-room member is present in the room');
      check(by['根本 三郎'].status === 'absent', 'the one who never came is absent');
      check(att.counts.online === 2 && att.counts.in_room === 1 && att.counts.absent === 1, `counts ${JSON.stringify(att.counts)}`);
      await admin.click('#attendance-refresh');
      await waitFor(async () => (await admin.textContent('#attendance-table')).includes('根本 三郎'), 10000, 'the admin attendance table');
      const table = await admin.textContent('#attendance-table');
      check(table.includes('欠席') && table.includes('市川 花子'), 'the admin page lists the absent member as 欠席');
      const { events } = await server.api('GET', `/api/meetings/${doc.id}/timeline`);
      const kinds = events.map((e) => e.kind);
      for (const k of ['join', 'opened', 'agenda', 'hand', 'floor', 'attendance', 'decision', 'floor-end', 'leave', 'state'])
        check(kinds.includes(k), `the timeline has '${k}'`);
      check(kinds.at(-1) === 'state' || kinds.includes('state'), 'the adjournment is on the timeline');
      const decisions = await server.api('GET', `/api/meetings/${doc.id}/decisions`);
      check(decisions.decisions[0].kind === 'approved' && decisions.decisions[0].item === itemId, 'the 了承 is attached to item 1');
      // The prepared meeting can no longer be edited.
      const put = await server.api('PUT', `/api/meetings/${doc.id}`, stored, { raw: true });
      check(put.status === 409 && put.json.error.code === 'meeting-started', `editing after the meeting opened is refused (${put.status})`);
      log(`attendance: ${JSON.stringify(att.counts)}; ${events.length} timeline events`);

      // ---- the archive: the recorded program, with its chapters ----
      await sleep(7000); // the recording keeps 4 s of the 閉会 slate, then ends
      const arch = await server.api('GET', `/api/public/meetings/${doc.id}/archive`, undefined, { auth: false });
      const items = arch.chapters.filter((c) => c.kind === 'item');
      const speakers = arch.chapters.filter((c) => c.kind === 'speaker');
      log(`archive: ${arch.duration.toFixed(1)} s in ${arch.segments} segments; chapters ${arch.chapters.map((c) => `${c.t.toFixed(1)} ${c.kind} ${c.label}`).join(' | ')}`);
      check(items.length === 1 && items[0].label.includes('DX推進計画'), 'the agenda item is a chapter');
      check(speakers.some((c) => c.label.includes('市川 花子')) && speakers.some((c) => c.label.includes('石井 次郎')), 'both speakers are chapters');
      check(arch.chapters.every((c) => c.t >= 0 && c.t <= arch.duration), 'every chapter lies within the recording');
      check(arch.states.some((s) => s.state === 'public') && arch.states.at(-1).state === 'adjourned', `the states are marked: ${arch.states.map((s) => s.state)}`);
      const m3u8 = await (await fetch(`${server.base}${arch.playlist}`)).text();
      const segs = m3u8.split('\n').filter((l) => l.startsWith('archive/'));
      check(m3u8.startsWith('#EXTM3U') && m3u8.includes('#EXT-X-ENDLIST') && segs.length === arch.segments, `the playlist lists the ${arch.segments} segments`);
      const seg = await fetch(`${server.base}/api/public/meetings/${doc.id}/${segs[0]}`);
      const segBytes = Buffer.from(await seg.arrayBuffer());
      check(seg.ok && segBytes[0] === 0x47 && segBytes.length > 1000, `a segment is MPEG-TS (${seg.status}, ${segBytes.length} bytes)`);
      const bogus = await fetch(`${server.base}/api/public/meetings/${doc.id}/archive/99/1`);
      check(bogus.status === 404, `a segment not in the recording is 404 (${bogus.status})`);
      const viewer = await openPage(browser, `${server.base}/archive.html?m=${doc.id}`, 'archive', 'ja');
      pages.push(viewer);
      await waitFor(() => viewer.locator('#chapters button').count(), 10000, 'the archive page to list the chapters');
      check((await viewer.textContent('#chapters')).includes('DX推進計画'), 'the archive page names the agenda item');
      check((await viewer.textContent('#speakers')).includes('市川'), 'the archive page names the speakers');
      await viewer.click('#chapters button');
      await waitFor(
        () => viewer.evaluate(() => { const v = document.querySelector('#archive-video'); return v.readyState >= 2 && v.videoWidth > 0 && !v.paused; }),
        20000,
        'the archive page to play the recording',
      );
      const at = await viewer.evaluate(() => document.querySelector('#archive-video').currentTime);
      check(at >= items[0].t - 0.5 && at <= items[0].t + 5, `the agenda chapter seeks to its time (${at.toFixed(1)} s for ${items[0].t.toFixed(1)} s)`);
      // The statements said in public: listed with their time, captions of the recording, and
      // a jump to each.
      const said = arch.statements ?? [];
      const ours = said.filter((st) => st.speaker === '市川 花子' && /road|repairs|schedule|committee|publish|plan|meeting/.test(st.text));
      check(ours.length > 0, `the archive lists the member's statements: ${JSON.stringify(said.map((st) => [st.t.toFixed(1), st.speaker, st.text]))}`);
      check(said.every((st) => st.t >= 0 && st.t <= st.end && st.end <= arch.duration + 0.01), 'every statement lies within the recording');
      const vtt = await (await fetch(`${server.base}/api/public/meetings/${doc.id}/archive.vtt`)).text();
      check(vtt.startsWith('WEBVTT') && vtt.includes(`<v 市川 花子>市川 花子: ${ours[0].text}`), `the recording's captions carry the statement:\n${vtt.slice(0, 400)}`);
      await waitFor(() => viewer.locator('#statements button').count(), 10000, 'the archive page to list the statements');
      await waitFor(() => viewer.evaluate(() => document.querySelector('#archive-video').textTracks[0]?.cues?.length > 0), 10000, 'the captions track to load');
      check((await viewer.evaluate(() => document.querySelector('#archive-video').textTracks[0].mode)) === 'showing', 'the captions are shown');
      const k = said.indexOf(ours[0]);
      await viewer.locator('#statements button').nth(k).click();
      await sleep(500);
      const jumped = await viewer.evaluate(() => document.querySelector('#archive-video').currentTime);
      check(Math.abs(jumped - ours[0].t) < 3, `a statement's button jumps to it (${jumped.toFixed(1)} s for ${ours[0].t.toFixed(1)} s)`);
      await viewer.click('#archive-captions');
      check((await viewer.evaluate(() => document.querySelector('#archive-video').textTracks[0].mode)) === 'hidden', 'the captions toggle hides them');
      log(`archive: ${said.length} statements, e.g. ${ours[0].t.toFixed(1)} s ${ours[0].speaker}: "${ours[0].text}"; the page jumps to it (${jumped.toFixed(1)} s)`);
      await waitFor(async () => (await viewer.textContent('#archive-now')).includes('DX推進計画'), 10000, 'the page to name the chapter being played');
      log(`archive page plays from ${at.toFixed(1)} s (chapter at ${items[0].t.toFixed(1)} s), ${await viewer.evaluate(() => document.querySelector('#archive-video').videoWidth)} px wide`);
      // The room's program goes on (people are still in it), its recording does not.
      await sleep(4000);
      const later = await server.api('GET', `/api/public/meetings/${doc.id}/archive`, undefined, { auth: false });
      const own = fs.readFileSync(path.join(server.dataDir, 'meetings', String(doc.id), 'program', '1.m3u8'), 'utf8');
      check(later.segments === arch.segments && own.includes('#EXT-X-ENDLIST'), `the recording ended after the adjournment (${arch.segments} then ${later.segments} segments; its own playlist ended: ${own.includes('#EXT-X-ENDLIST')})`);
      check(server.criticals().length === 0, `no GLib criticals: ${server.criticals().join(' | ')}`);
    } catch (err) {
      for (const p of pages) await dumpPage(p).catch(() => {});
      throw err;
    }
  },
  { timeoutMs: 120000 },
);
