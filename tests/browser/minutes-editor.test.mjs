// minutes-editor.test.mjs: the minutes of a committee meeting made ready the way a town does
// it, in real Chromium pages.
//
// A meeting with statements as recognition stores them (written into the server's store with
// sqlite3, one with a real spoken clip made by flite) is run and adjourned by its chair over
// the signalling socket, with a decision. The secretariat signs in on admin.html, opens the
// minutes editor from the meeting list, corrects a statement's text, gives a statement to its
// real speaker, merges two, splits one at the cursor, removes filler words, plays a clip, and
// sends the draft for review. A member (whose join page of the adjourned meeting links the
// review too), with the review link from the console's link table, sees their own statements
// with Confirm buttons and nobody else's, confirms one and hears its clip; the secretariat
// publishes, and the public copy leaves out the closed-session statement and says 一部非公開.
// Each step is checked in the store through the REST API, not only on the page.
// Exits 0 on pass.

import fs from 'node:fs';
import path from 'node:path';

import { Server, check, dumpPage, launchBrowser, log, runTest, waitFor } from './lib.mjs';
import { committee, insertUtterances, runAndAdjourn, writeClip } from '../api/minutes-fixture.mjs';

async function newPage(browser, lang) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.consoleLines = [];
  page.kaigiName = lang;
  page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  return page;
}

// The audio element of statement @id on @page: loaded, with the clip's real length, and
// playing forward.
async function checkClipPlays(page, id, wav) {
  const expected = (wav.length - 44) / (16000 * 2);
  const sel = `[data-utterance="${id}"] audio`;
  await waitFor(() => page.evaluate((s) => document.querySelector(s)?.readyState >= 1, sel), 10000, `the clip of ${id} to load`);
  const duration = await page.evaluate((s) => document.querySelector(s).duration, sel);
  check(Math.abs(duration - expected) < 0.1, `the clip lasts ${duration} s, the file ${expected.toFixed(2)} s`);
  await page.evaluate((s) => document.querySelector(s).play(), sel);
  await waitFor(() => page.evaluate((s) => document.querySelector(s).currentTime > 0.2, sel), 10000, `the clip of ${id} to play`);
}

await runTest(
  'minutes-editor',
  async () => {
    const server = await new Server().start();
    const m = await server.api('POST', '/api/meetings', committee(), { expect: 201 });
    const person = (name) => m.roster.find((p) => p.name === name).id;
    const [item1, item2] = m.agenda.map((a) => a.id);
    const [uOpen, uSuzuki1, uSuzuki2, uQuestion, uClosed, uClose] = insertUtterances(server, m.id, [
      { item: item1, speaker: person('田中'), name: '田中', text: 'ただいまから𠮷野町の委員会を開会します。' },
      { item: item1, speaker: person('鈴木'), name: '鈴木', text: 'えー、本日は晴天です。' },
      { item: item1, speaker: person('鈴木'), name: '鈴木', text: '続けて申し上げます。' },
      // Attributed to the chair by the venue's floor; 佐藤 really asked it.
      { item: item1, speaker: person('田中'), name: '田中', text: 'あのー、質問があります。', confidence: 0.45 },
      { item: item2, speaker: person('佐藤'), name: '佐藤', text: '非公開で申し上げる人事の話です。', public: false },
      { item: item2, speaker: person('田中'), name: '田中', text: '以上で閉会します。' },
    ]);
    const wav = writeClip(server, m.id, uSuzuki1, 'Good morning. Today the weather is fine.');
    const { links: chairLinks } = await server.api('POST', `/api/meetings/${m.id}/links`, {});
    await runAndAdjourn(server, m.id, chairLinks.find((l) => l.name === '田中').token, item1);
    const minutes = () => server.api('GET', `/api/meetings/${m.id}/minutes`);
    const byId = async (id) => (await minutes()).utterances.find((u) => u.id === id);

    const browser = await launchBrowser();
    const sec = await newPage(browser, 'ja');
    try {
      // ---- sign in and open the editor from the meeting list ----
      await sec.goto(`${server.base}/admin.html`);
      const password = fs.readFileSync(path.join(server.dataDir, 'initial-admin-password'), 'utf8').trim();
      await sec.fill('#login-name', 'admin');
      await sec.fill('#login-password', password);
      await sec.click('#login-submit');
      await sec.click(`a[data-minutes="${m.id}"]`);
      await waitFor(() => sec.evaluate(() => window.kaigi?.page === 'minutes' && window.kaigi.loaded), 10000, 'the editor to load');
      const heading = await sec.textContent('#minutes-heading');
      check(heading.includes('総務常任委員会'), `the editor names the meeting: ${heading}`);
      const item1Heading = await sec.textContent(`#item-${item1}`);
      check(item1Heading === '議案第1号 町道の認定について', `statements sit under their agenda heading: ${item1Heading}`);
      check((await sec.locator(`section[aria-labelledby="item-${item1}"] [data-utterance]`).count()) === 4, 'four statements under item 1');
      check((await sec.textContent(`section[aria-labelledby="item-${item1}"] .decisions`)).includes('了承'), 'the decision is shown under its item');
      check((await sec.locator(`[data-utterance="${uClosed}"] .mark.closed`).count()) === 1, 'the closed-session statement is marked');

      // ---- a member's link before review: the page says so ----
      const member = await newPage(browser, 'ja');
      await sec.goto(`${server.base}/admin.html#m=${m.id}`);
      await sec.click('#links-button');
      const reviewUrl = await sec.getAttribute(`a[data-review="${person('鈴木')}"]`, 'href');
      check(reviewUrl && reviewUrl.includes(`review.html?m=${m.id}#t=kaigi1.`), `the console lists a review link per member: ${reviewUrl}`);
      // The join page of the adjourned meeting offers the same review page.
      await member.goto(server.base + chairLinks.find((l) => l.name === '鈴木').url);
      await member.waitForSelector('#review-link', { state: 'visible', timeout: 15000 });
      await member.click('#review-link');
      await waitFor(() => member.evaluate(() => window.kaigi?.status === 'not-in-review'), 10000, 'the review page to say it is not in review');
      check(new URL(member.url()).searchParams.get('m') === String(m.id), 'the join page links the review of its meeting');
      check((await member.textContent('#status-text')).includes('まだ確認の段階ではありません'), 'in plain words');

      await sec.goto(`${server.base}/minutes.html?m=${m.id}`);
      await waitFor(() => sec.evaluate(() => window.kaigi.loaded), 10000, 'the editor again');
      const idle = () => waitFor(() => sec.evaluate(() => window.kaigi.busy === 0), 10000, 'the editor to finish');

      // ---- correct a text (Save) ----
      await sec.fill(`[data-utterance="${uClose}"] textarea`, '以上で本日の委員会を閉会します。');
      await sec.click(`[data-utterance="${uClose}"] [data-action="save"]`);
      await waitFor(async () => (await byId(uClose)).text === '以上で本日の委員会を閉会します。', 5000, 'the text to be stored');
      check((await byId(uClose)).state === 'edited', 'the statement is marked corrected');
      await idle();

      // ---- by keyboard alone: typed, then saved when the field is left (Tab) ----
      await sec.focus(`[data-utterance="${uClosed}"] textarea`);
      await sec.keyboard.press('End');
      await sec.keyboard.type('以上です。');
      await sec.keyboard.press('Tab');
      await waitFor(async () => (await byId(uClosed)).text === '非公開で申し上げる人事の話です。以上です。', 5000, 'the text saved on leaving the field');
      await idle();
      const focus = await sec.evaluate(() => ({ id: document.activeElement?.closest('[data-utterance]')?.dataset.utterance, action: document.activeElement?.dataset.action }));
      check(focus.id === String(uClosed) && focus.action === 'merge', `focus moves on from the saved text, not lost, when the page is drawn anew: ${JSON.stringify(focus)}`);

      // ---- two people at one statement: the later save is refused, the typed text kept ----
      await server.api('PATCH', `/api/meetings/${m.id}/minutes/utterances/${uClosed}`, { text: '人事の話です。（別の職員が修正）' });
      await sec.fill(`[data-utterance="${uClosed}"] textarea`, '人事の話です。（こちらの修正）');
      await sec.click(`[data-utterance="${uClosed}"] [data-action="save"]`);
      await idle();
      check((await sec.isVisible('#error')) && (await sec.textContent('#error')).includes('他の人が先に変更しました'), 'the page says someone else changed it');
      check((await byId(uClosed)).text === '人事の話です。（別の職員が修正）', 'the other person\'s save stands');
      check((await sec.inputValue(`[data-utterance="${uClosed}"] textarea`)) === '人事の話です。（こちらの修正）', 'the typed text is still in the field');
      await sec.click(`[data-utterance="${uClosed}"] [data-action="save"]`);
      await waitFor(async () => (await byId(uClosed)).text === '人事の話です。（こちらの修正）', 5000, 'saved again on purpose');
      await idle();

      // ---- the history names the account ----
      await sec.click(`[data-utterance="${uClose}"] details.history summary`);
      await waitFor(() => sec.evaluate((id) => [...document.querySelectorAll(`[data-utterance="${id}"] .history-list li`)].some((li) => li.textContent.includes('admin') && li.textContent.includes('閉会します')), uClose), 5000, 'the history of the corrected text');

      // ---- the real speaker (of a statement recognition was unsure of) ----
      check((await sec.textContent(`[data-utterance="${uQuestion}"] .mark.unsure`)).includes('45%'), 'an unsure recognition is marked for checking');
      check((await sec.locator('.mark.unsure').count()) === 1, 'only that one');
      await sec.selectOption(`[data-utterance="${uQuestion}"] select`, String(person('佐藤')));
      await waitFor(async () => (await byId(uQuestion)).speaker === person('佐藤'), 5000, 'the speaker to be stored');
      check((await byId(uQuestion)).speaker_name === '佐藤', 'with the roster name');
      await idle();
      check((await sec.locator('.mark.unsure').count()) === 0, 'checked: no longer marked');

      // ---- merge two statements ----
      await sec.click(`[data-utterance="${uSuzuki1}"] [data-action="merge"]`);
      await waitFor(async () => !(await minutes()).utterances.some((u) => u.id === uSuzuki2), 5000, 'the merge');
      check((await byId(uSuzuki1)).text === 'えー、本日は晴天です。続けて申し上げます。', 'the texts are joined');
      await idle();
      check((await sec.locator(`[data-utterance="${uSuzuki2}"]`).count()) === 0, 'the page shows one statement');

      // ---- split at the cursor (𠮷 is two UTF-16 units in the page, one character in the store) ----
      const cut = 'ただいまから𠮷野町の委員会を'.length;
      await sec.evaluate(({ id, cut }) => {
        const area = document.querySelector(`[data-utterance="${id}"] textarea`);
        area.focus();
        area.setSelectionRange(cut, cut);
      }, { id: uOpen, cut });
      await sec.click(`[data-utterance="${uOpen}"] [data-action="split"]`);
      await waitFor(async () => (await byId(uOpen)).text === 'ただいまから𠮷野町の委員会を', 5000, 'the split');
      const tail = (await minutes()).utterances.find((u) => u.text === '開会します。');
      check(tail && tail.speaker === person('田中') && tail.item === item1, 'the second part is a statement of its own');
      await idle();
      await sec.click(`[data-utterance="${uOpen}"] [data-action="merge"]`);
      await waitFor(async () => (await byId(uOpen)).text === 'ただいまから𠮷野町の委員会を開会します。', 5000, 'merged back');
      await idle();

      // ---- filler words ----
      await sec.click('#fillers');
      await waitFor(async () => (await byId(uSuzuki1)).text === '本日は晴天です。続けて申し上げます。', 5000, 'fillers removed');
      check((await byId(uQuestion)).text === '質問があります。', 'from every statement');
      await idle();
      check((await sec.inputValue(`[data-utterance="${uSuzuki1}"] textarea`)) === '本日は晴天です。続けて申し上げます。', 'the page shows the new text');

      // ---- play a clip ----
      await checkClipPlays(sec, uSuzuki1, wav);
      check((await sec.locator(`[data-utterance="${uOpen}"] audio`).count()) === 0, 'no player where there is no clip');

      // ---- send for review ----
      await sec.click('#to-review');
      await waitFor(async () => (await minutes()).draft.state === 'review', 5000, 'the draft to be in review');
      await idle();

      // ---- the member confirms their own statement ----
      await member.goto('about:blank');
      await member.goto(reviewUrl);
      await waitFor(() => member.evaluate(() => window.kaigi?.status === 'review'), 10000, 'the member to see the draft');
      check((await member.locator(`[data-utterance="${uSuzuki1}"][data-own="true"] [data-action="confirm"]`).count()) === 1, 'a Confirm button on their own statement');
      check((await member.locator(`[data-utterance="${uQuestion}"] [data-action="confirm"]`).count()) === 0, 'none on 佐藤\'s');
      check((await member.locator('[data-action="confirm"]').count()) === 1, 'only their own statements can be confirmed');
      check((await member.locator(`[data-utterance="${uQuestion}"] audio`).count()) === 0, 'no one else\'s clip');
      await checkClipPlays(member, uSuzuki1, wav);
      await member.click(`[data-utterance="${uSuzuki1}"] [data-action="confirm"]`);
      await waitFor(async () => (await byId(uSuzuki1)).state === 'confirmed', 5000, 'the confirmation to be stored');
      check((await byId(uSuzuki1)).confirmed_by === person('鈴木'), 'confirmed by 鈴木');
      await waitFor(() => member.evaluate((id) => document.querySelector(`[data-utterance="${id}"]`)?.dataset.state === 'confirmed', uSuzuki1), 5000, 'the page to show it confirmed');

      // ---- publish ----
      await sec.click('#reload');
      await idle();
      await sec.click('#publish');
      await waitFor(async () => (await minutes()).draft.state === 'published', 5000, 'the minutes to be published');
      await idle();
      check((await sec.locator('[data-action="merge"]').count()) === 0 && (await sec.getAttribute(`[data-utterance="${uClose}"] textarea`, 'readonly')) !== null, 'no more editing on the page');
      const publicHref = await sec.getAttribute('#public-link', 'href');
      const res = await fetch(new URL(publicHref, server.base));
      const text = await res.text();
      check(res.status === 200 && text.includes('一部非公開') && !text.includes('人事の話') && text.includes('本日は晴天です。続けて申し上げます。') && text.includes('以上で本日の委員会を閉会します。'), `the public copy leaves out the closed statement and says so:\n${text.slice(0, 400)}`);
      await member.reload();
      await waitFor(() => member.evaluate(() => window.kaigi?.status === 'published'), 10000, 'the member page to say it is published');
      const errors = (await sec.evaluate(() => window.kaigi.errors)).filter((e) => e.code !== 'changed');
      check(!errors.length, `no other errors on the editor: ${JSON.stringify(errors)}`);
      check(server.criticals().length === 0, 'no criticals');
      log('minutes editor: all checks passed');
    } catch (err) {
      await dumpPage(sec);
      throw err;
    }
  },
  { timeoutMs: 120000 },
);
