// public.test.mjs: the public gallery (傍聴) and the gate in front of it.
//
// Three Chromium processes, each with its own fake microphone: a member who speaks (flite
// speech), a member who plays a distinctive 3150 Hz tone, and one with silence for the chair
// and for a member of the public on public.html. The program (HLS, written by the server) is
// decoded segment by segment with ffmpeg:
//   - before the meeting opens: silence and a slate, although the speaker is talking;
//   - open (公開): the speech is there, and the chair's camera;
//   - the chair switches to 非公開; only now does the tone member unmute, and mute again before
//     the chair returns to 公開: the segments of the closed session are silent slates, and no
//     segment at all carries the tone, while the tone member's own recording does;
//   - public again: the speech is back.
// kaigi-recorder export: mixed.webm has the tone, public.webm (closed parts cut) has none of
// it, has the speech, and lasts the public time. The program as the closed session would have
// looked is recorded apart (program/closed-*.ts): it has the tone and the camera, and the
// public archive does not serve it.
// The public page plays the stream (hls.js), names the state and says why it shows a slate;
// it is counted as a viewer, and the peak reaches /metrics and the minutes (傍聴人数).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';

import {
  Server,
  check,
  dumpPage,
  freePort,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  makeToneWav,
  makeSpeechWav,
  onCleanup,
  runTest,
  sleep,
  sourceRoot,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

const TONE_HZ = 3150;
const RATE = 16000;
const recorderBin = process.env.KAIGI_RECORDER || path.join(sourceRoot, 'build', 'recorder', 'kaigi-recorder');
const minutesBin = process.env.KAIGI_MINUTES || path.join(sourceRoot, 'build', 'minutes', 'kaigi-minutes');

// Mono 16 kHz samples of any media file ffmpeg reads (an HLS segment, a WebM piece).
function decodeAudio(file) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vn', '-f', 's16le', '-ac', '1', '-ar', String(RATE), '-'], {
    timeout: 30000,
    maxBuffer: 64 << 20,
  });
  const s = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
  return Float32Array.from(s, (v) => v / 32768);
}

// Per 100 ms window: power, and the share of it at the tone's frequency (Goertzel).
function windows(samples) {
  const n = RATE / 10;
  const k = (2 * Math.cos((2 * Math.PI * TONE_HZ) / RATE));
  const out = [];
  for (let off = 0; off + n <= samples.length; off += n) {
    let p = 0, s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = samples[off + i];
      p += x * x;
      const s0 = x + k * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    p /= n;
    const mag2 = s1 * s1 + s2 * s2 - k * s1 * s2;
    const tone = (2 * mag2) / (n * n);
    out.push({ power: p, toneShare: p > 0 ? tone / p : 0 });
  }
  return out;
}

const db = (p) => (p > 0 ? 10 * Math.log10(p) : -200);

function analyse(file) {
  const w = windows(decodeAudio(file));
  return {
    windows: w.length,
    loudest: Math.max(-200, ...w.map((x) => db(x.power))),
    speechWindows: w.filter((x) => db(x.power) > -45 && x.toneShare < 0.5).length,
    toneWindows: w.filter((x) => db(x.power) > -50 && x.toneShare > 0.5).length,
    // The tone's own power, whatever else plays at the same time (a mix).
    toneDb: w.map((x) => db(x.power * x.toneShare)),
  };
}

// Colour of a segment's middle frame: the largest channel spread of a 32x18 thumbnail
// (0 for black, white and grey, as on the slate).
function colourfulness(file) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-an', '-vf', 'select=eq(n\\,10),scale=32:18', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    timeout: 30000,
  });
  let spread = 0;
  for (let i = 0; i + 2 < raw.length; i += 3)
    spread = Math.max(spread, Math.max(raw[i], raw[i + 1], raw[i + 2]) - Math.min(raw[i], raw[i + 1], raw[i + 2]));
  return { spread, bytes: raw.length };
}

// Copies every finished segment (all but the newest) as soon as it is there: the live
// playlist keeps only the last few.
class SegmentKeeper {
  constructor(src, dst) {
    this.src = src;
    this.dst = dst;
    this.kept = new Set();
    fs.mkdirSync(dst, { recursive: true });
    this.timer = setInterval(() => this.poll(), 300);
  }
  indices() {
    if (!fs.existsSync(this.src)) return [];
    return fs
      .readdirSync(this.src)
      .map((f) => /^segment(\d+)\.ts$/.exec(f))
      .filter(Boolean)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }
  newest() {
    return this.indices().at(-1) ?? -1;
  }
  poll() {
    const idx = this.indices();
    for (const i of idx.slice(0, -1)) {
      if (this.kept.has(i)) continue;
      const name = `segment${String(i).padStart(5, '0')}.ts`;
      try {
        fs.copyFileSync(path.join(this.src, name), path.join(this.dst, name));
        this.kept.add(i);
      } catch {
        // deleted meanwhile: it is missed (checked below)
      }
    }
  }
  file(i) {
    return path.join(this.dst, `segment${String(i).padStart(5, '0')}.ts`);
  }
  stop() {
    this.poll();
    clearInterval(this.timer);
  }
}

// conf/nginx-public.conf itself, run by a real nginx on loopback in front of @server.
async function startNginx(dir, server) {
  const port = await freePort();
  const example = fs
    .readFileSync(path.join(sourceRoot, 'conf', 'nginx-public.conf'), 'utf8')
    .replace('listen 8090;', `listen 127.0.0.1:${port};`)
    .replace('listen [::]:8090;', '')
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${server.port};`)
    .replace('/var/cache/nginx/kaigi-hls', path.join(dir, 'cache'));
  check(example.includes(`127.0.0.1:${server.port}`) && example.includes(`127.0.0.1:${port}`), 'the nginx example has the expected listen and upstream lines');
  for (const d of ['cache', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const t = path.join(dir, 'tmp');
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    [
      process.getuid() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      'daemon off;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log ${path.join(dir, 'access.log')};`,
      `  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fcgi;`,
      `  uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;`,
      '  types { text/html html; text/javascript js; text/css css; application/json json; }',
      example,
      '}',
    ].join('\n'),
  );
  execFileSync('nginx', ['-t', '-c', conf, '-p', dir], { stdio: 'pipe', timeout: 10000 });
  const proc = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  onCleanup(() => proc.kill('SIGTERM'));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/public.html`).catch(() => null))?.ok, 10000, 'nginx to answer');
  return base;
}

// A real Icecast server on loopback (Debian's icecast2), for the program's audio-only output.
async function startIcecast(testDir) {
  const port = await freePort();
  const password = 'kaigi-test-source';
  // Run as root, icecast becomes nobody before it opens its logs: they go to a folder of
  // their own that nobody may write (the test folder is private).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaigi-icecast-'));
  fs.chmodSync(dir, 0o777);
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const conf = path.join(testDir, 'icecast.xml');
  fs.writeFileSync(
    conf,
    `<icecast>
  <limits><clients>20</clients><sources>4</sources><source-timeout>10</source-timeout><burst-size>0</burst-size></limits>
  <authentication><source-password>${password}</source-password><admin-user>admin</admin-user><admin-password>${password}-admin</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>${dir}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>${process.getuid() === 0 ? '<changeowner><user>nobody</user><group>nogroup</group></changeowner>' : ''}</security>
</icecast>
`,
  );
  const proc = spawn('icecast2', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  proc.stdout.on('data', (d) => out.push(String(d)));
  proc.stderr.on('data', (d) => out.push(String(d)));
  onCleanup(() => proc.kill('SIGTERM'));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status-json.xsl`).catch(() => null))?.ok, 10000, `icecast2 to answer (${out.join('')})`);
  log(`icecast2 pid ${proc.pid} on 127.0.0.1:${port}`);
  return { port, password, url: `http://source:${password}@127.0.0.1:${port}` };
}

// Saves what an Icecast listener hears into @file until stop() is called.
function listen(url, file) {
  const out = fs.createWriteStream(file);
  const ctl = new AbortController();
  let bytes = 0;
  const done = fetch(url, { signal: ctl.signal })
    .then(async (res) => {
      check(res.ok, `icecast answers the listener (${res.status})`);
      for await (const chunk of res.body) {
        bytes += chunk.length;
        out.write(chunk);
      }
    })
    .catch((e) => {
      if (e.name !== 'AbortError') throw e;
    });
  return {
    get bytes() {
      return bytes;
    },
    async stop() {
      ctl.abort();
      await done.catch(() => {});
      await new Promise((r) => out.end(r));
    },
  };
}

// In the page: every 100 ms of what the video element's WebRTC audio carries, as power and the
// tone's share of it (the same measure as windows() above), stamped with the page's clock.
async function listenInPage(page) {
  await page.evaluate((toneHz) => {
    const stream = document.querySelector('#program').srcObject;
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const n = Math.round(ctx.sampleRate / 10);
    const k = 2 * Math.cos((2 * Math.PI * toneHz) / ctx.sampleRate);
    let pending = [];
    window.__heard = [];
    proc.onaudioprocess = (e) => {
      pending.push(...e.inputBuffer.getChannelData(0));
      while (pending.length >= n) {
        let p = 0, s1 = 0, s2 = 0;
        for (let i = 0; i < n; i++) {
          const x = pending[i];
          p += x * x;
          const s0 = x + k * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        p /= n;
        const tone = (2 * (s1 * s1 + s2 * s2 - k * s1 * s2)) / (n * n);
        window.__heard.push({ t: Date.now(), power: p, toneShare: p > 0 ? tone / p : 0 });
        pending = pending.slice(n);
      }
    };
    src.connect(proc);
    proc.connect(ctx.destination);
    ctx.resume();
  }, TONE_HZ);
}

// The largest channel spread of the video element's current frame, drawn at 32x18.
function frameColour(page) {
  return page.evaluate(() => {
    const v = document.querySelector('#program');
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 18;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, 32, 18);
    const d = g.getImageData(0, 0, 32, 18).data;
    let spread = 0;
    for (let i = 0; i < d.length; i += 4)
      spread = Math.max(spread, Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]));
    return { spread };
  });
}

async function openPublic(browser, url) {
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.kaigiName = 'public';
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(15000);
  await page.goto(url);
  return page;
}

// GET on a connection of its own (no keep-alive pool).
function freshGet(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const publicState = (page) => page.evaluate(() => document.querySelector('#public-state').dataset.state);

async function setState(chair, member, cmd, expect) {
  await chair.click(`#state-${cmd}`);
  await waitFor(async () => (await member.evaluate(() => window.kaigi.meetingState))?.state === expect, 10000, `the meeting to be ${expect}`);
}

await runTest(
  'public',
  async () => {
    const dir = tempDir();
    const conf = path.join(dir, 'kaigi.conf');
    const ice = await startIcecast(dir);
    fs.writeFileSync(conf, `[recorder]\nenabled = true\n[public]\nicecast = ${ice.url}\n`);
    const server = await new Server({ args: ['--config', conf] }).start();
    const startMetrics = await (await fetch(`${server.base}/metrics`)).text();
    const asrAtStart = {
      ok: Number(/^kaigi_asr_utterances_total\{result="ok"\} (\d+)/m.exec(startMetrics)?.[1] ?? -1),
      seconds: Number(/^kaigi_asr_audio_seconds_total ([\d.]+)/m.exec(startMetrics)?.[1] ?? -1),
    };
    const talker = makeSpeechWav(dir);
    const tone = makeToneWav(dir, TONE_HZ, { seconds: 10, gain: -6 });
    const silence = makeSilenceWav(dir);
    const bSpeech = await launchBrowser({ audioFile: talker, label: 'speaker chromium' });
    const bTone = await launchBrowser({ audioFile: tone, label: 'tone chromium' });
    const bQuiet = await launchBrowser({ audioFile: silence, label: 'chair chromium' });
    const pages = [];
    try {
      const meeting = await server.testMeeting();
      const chair = await joinPage(bQuiet, server, 'Chair', { url: await server.linkFor('Chair', 'chair'), lang: 'ja' });
      pages.push(chair);
      chair.on('dialog', (d) => d.accept()); // the adjournment's confirmation
      const toner = await joinPage(bTone, server, 'Tone Member');
      pages.push(toner);
      // The tone member's microphone is off until the closed session.
      await toner.click('#mute-audio');
      check((await toner.getAttribute('#mute-audio', 'aria-pressed')) === 'true', 'the tone member starts muted');
      const speaker = await joinPage(bSpeech, server, 'Speaker');
      pages.push(speaker);
      await Promise.all([chair, toner, speaker].map((p) => waitConnected(p, 30000)));

      const hlsDir = path.join(server.dataDir, 'hls', String(meeting));
      const keeper = new SegmentKeeper(hlsDir, path.join(dir, 'segments'));
      // Two members of the public: one page as it comes (WebRTC, WHEP), one on HLS.
      const pub = await openPublic(bQuiet, `${server.base}/public.html?m=${meeting}`);
      const pubHls = await openPublic(bQuiet, `${server.base}/public.html?m=${meeting}&via=hls`);
      pages.push(pub, pubHls);
      await waitFor(async () => (await publicState(pub)) === 'scheduled', 10000, 'the public page to say 開会前');
      check(!(await pub.locator('#public-why').isHidden()), 'the public page says why there is no broadcast yet');
      log(`public page before opening: "${(await pub.textContent('#public-why')).trim()}"`);
      await waitFor(() => keeper.newest() >= 3, 20000, 'the program to write segments before the meeting opens');
      // Both play the program before and after the meeting opens.
      for (const [page, how] of [[pub, 'whep'], [pubHls, 'hls']])
        await waitFor(
          () => page.evaluate((how) => { const v = document.querySelector('#program'); return window.kaigi.state.path === how && v.readyState >= 2 && v.currentTime > 1 && v.videoWidth === 640; }, how),
          30000,
          `the public page to play the program over ${how}`,
        );
      check((await pub.evaluate(() => window.kaigi.state.whepUrl || '')).includes(`/api/public/meetings/${meeting}/whep/`), 'the WHEP session has its URL');
      await listenInPage(pub);
      const events = {};

      // ---- open (公開) ----
      const kOpen = keeper.newest();
      events.open = Date.now();
      await setState(chair, speaker, 'open', 'public');
      await waitFor(async () => (await publicState(pub)) === 'public', 10000, 'the public page to say 公開中');
      const radio = listen(`http://127.0.0.1:${ice.port}/kaigi-${meeting}.opus`, path.join(dir, 'radio.ogg'));
      check(await pub.locator('#public-why').isHidden(), 'no slate notice while public');
      await sleep(9000);

      // ---- closed (非公開), with the tone ----
      const kClose = keeper.newest();
      events.close = Date.now();
      await setState(chair, speaker, 'closed', 'closed');
      await toner.click('#mute-audio');
      check((await toner.getAttribute('#mute-audio', 'aria-pressed')) === 'false', 'the tone member unmutes during the closed session');
      await waitFor(async () => (await publicState(pub)) === 'closed', 10000, 'the public page to say 非公開');
      const why = (await pub.textContent('#public-why')).trim();
      check(why.includes('非公開'), `the public page says why it shows a slate: ${why}`);
      await sleep(6000);
      const whepSlate = await frameColour(pub);
      await sleep(5000);
      await toner.click('#mute-audio');
      check((await toner.getAttribute('#mute-audio', 'aria-pressed')) === 'true', 'the tone member mutes again');
      await sleep(1500);

      // ---- public again ----
      const kReopen = keeper.newest();
      events.reopen = Date.now();
      await setState(chair, speaker, 'public', 'public');
      await waitFor(async () => (await publicState(pub)) === 'public', 10000, 'the public page to say 公開中 again');
      // ---- the same program through nginx (conf/nginx-public.conf) ----
      const edge = await startNginx(path.join(dir, 'nginx'), server);
      const list1 = await fetch(`${edge}/hls/${meeting}/index.m3u8`);
      const list2 = await fetch(`${edge}/hls/${meeting}/index.m3u8`);
      const playlist = await list2.text();
      check(list1.ok && list2.ok && /#EXTM3U/.test(playlist), `nginx serves the playlist (${list1.status}, ${list2.status})`);
      check(list2.headers.get('cache-control') === 'public, max-age=1', `the playlist is cached for 1 s (${list2.headers.get('cache-control')})`);
      const segName = playlist.split('\n').find((l) => l.endsWith('.ts'));
      const s1 = await fetch(`${edge}/hls/${meeting}/${segName}`);
      const b1 = Buffer.from(await s1.arrayBuffer());
      const s2 = await fetch(`${edge}/hls/${meeting}/${segName}`);
      const b2 = Buffer.from(await s2.arrayBuffer());
      check(s1.ok && s2.ok && b1.length > 1000 && b1.equals(b2), `nginx serves segment ${segName} (${b1.length} bytes)`);
      check(s2.headers.get('x-cache') === 'HIT', `the second request of a segment is a cache hit (${s1.headers.get('x-cache')}, ${s2.headers.get('x-cache')})`);
      check((await fetch(`${edge}/api/meetings`)).status === 404 && (await fetch(`${edge}/admin.html`)).status === 404, 'the edge exposes nothing but the public page, its API and HLS');
      const viaEdge = await openPublic(bQuiet, `${edge}/public.html?m=${meeting}&via=hls`);
      pages.push(viaEdge);
      await waitFor(
        () => viaEdge.evaluate(() => { const v = document.querySelector('#program'); return v.readyState >= 2 && v.currentTime > 1 && v.videoWidth === 640; }),
        30000,
        'the public page behind nginx to play',
      );
      check((await publicState(viaEdge)) === 'public', 'the page behind nginx names the state');
      await viaEdge.context().close();
      log(`nginx edge: playlist ${list1.headers.get('x-cache')}/${list2.headers.get('x-cache')}, segment ${s1.headers.get('x-cache')}/${s2.headers.get('x-cache')}, page plays through it`);
      await waitFor(() => keeper.newest() >= kReopen + 5, 30000, 'segments after the return to public');
      // ---- captions (字幕): the talker's speech, recognised, reaches the public page only
      // from the public parts; participants see the closed session's too (marked). The talker
      // speaks without a pause long enough to end a statement, so statements are cut at about
      // 12 s, and only one begun after the return to public is public.
      const talkerWords = /afternoon|everyone|talker|speaking|meeting|committee|discuss|agenda|listen|carefully|question|joining/i;
      const shown = (page) => page.evaluate(() => (window.kaigi.captions ?? []).map((c) => ({ text: c.text, start: c.start, who: c.who, public: c.public })));
      await waitFor(async () => (await shown(pub)).some((c) => c.start >= events.reopen && talkerWords.test(c.text)), 45000, 'a caption of the talker on the public page (WebRTC) after the return to public');
      await waitFor(async () => (await shown(pubHls)).some((c) => talkerWords.test(c.text)), 45000, 'a caption of the talker on the public page playing HLS (its WebVTT rendition)');
      const pubCaps = await shown(pub);
      const hlsCaps = await shown(pubHls);
      const chairCaps = await shown(chair);
      const leaked = pubCaps.filter((c) => !(c.start < events.close || c.start >= events.reopen));
      check(leaked.length === 0, `no caption of the closed session reached the public page: ${JSON.stringify(leaked)}`);
      check(pubCaps.every((c) => c.who.startsWith('Speaker')), `public captions name the speaker: ${pubCaps.map((c) => c.who).join(', ')}`);
      const closedForChair = chairCaps.filter((c) => c.public === false && c.start >= events.close && c.start < events.reopen);
      check(closedForChair.length > 0, `the chair saw captions of the closed session, marked (${closedForChair.length})`);
      check(await pub.locator('#public-caption-box').isVisible(), 'the public page shows its captions box');
      await pub.click('#public-captions');
      check(await pub.locator('#public-caption-box').isHidden(), 'the captions toggle hides them');
      await pub.click('#public-captions');
      const master = await (await fetch(`${server.base}/hls/${meeting}/master.m3u8`)).text();
      check(/TYPE=SUBTITLES.*URI="captions.m3u8"/.test(master) && /SUBTITLES="subs"\nindex.m3u8/.test(master), `the master playlist names the program and its captions:\n${master}`);
      log(`captions: ${pubCaps.length} on the WebRTC public page, ${hlsCaps.length} on the HLS one, ${chairCaps.length} for the chair (${closedForChair.length} of the closed session); e.g. "${pubCaps.at(-1)?.text}"`);
      await radio.stop();
      const whepLive = await frameColour(pub);
      events.end = Date.now();
      const whepWhep = Number(/^kaigi_public_whep_viewers (\d+)/m.exec(await (await fetch(`${server.base}/metrics`)).text())?.[1] ?? -1);
      const heard = await pub.evaluate(() => window.__heard);
      const playing = await pub.evaluate(() => document.querySelector('#program').currentTime);
      check(playing > 20, `the public page kept playing (${playing.toFixed(1)} s)`);
      const viewers = await server.api('POST', `/api/public/meetings/${meeting}/view`, { viewer: 'testviewer2' }, { auth: false });
      check(viewers.live === true && viewers.viewers >= 2, `the page and this request count as viewers: ${JSON.stringify(viewers)}`);
      const badView = await server.api('POST', `/api/public/meetings/${meeting}/view`, { viewer: 'no spaces!' }, { auth: false, raw: true });
      check(badView.status === 400, `a malformed viewer id is refused (${badView.status})`);
      const metrics = await (await fetch(`${server.base}/metrics`)).text();
      const gauge = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? -1);
      check(gauge('kaigi_public_viewers') >= 2 && gauge('kaigi_public_viewers_peak') >= 2, `/metrics counts public viewers (${gauge('kaigi_public_viewers')}, peak ${gauge('kaigi_public_viewers_peak')})`);
      // Speech recognition moved with the meeting: statements done, seconds of speech, and a
      // backlog (waiting on disk) that is a number of statements, not growing without end.
      const asrOk = Number(/^kaigi_asr_utterances_total\{result="ok"\} (\d+)/m.exec(metrics)?.[1] ?? -1);
      const asrSeconds = Number(/^kaigi_asr_audio_seconds_total ([\d.]+)/m.exec(metrics)?.[1] ?? -1);
      check(asrAtStart.ok === 0 && asrOk >= 3 && asrSeconds > asrAtStart.seconds + 20, `/metrics counts the statements recognised (${asrAtStart.ok} -> ${asrOk}, ${asrSeconds} s of speech)`);
      check(gauge('kaigi_asr_backlog') >= 0 && gauge('kaigi_asr_backlog') <= 4, `the recognition backlog is small (${gauge('kaigi_asr_backlog')})`);
      events.adjourn = Date.now();
      await setState(chair, speaker, 'adjourned', 'adjourned');
      await waitFor(async () => (await publicState(pub)) === 'adjourned', 10000, 'the public page to say 閉会');
      keeper.stop();
      // Asked now: the analysis below blocks this process for a while (ffmpeg), long enough
      // for the server to close an idle keep-alive connection under fetch's feet.
      const doc = await server.api('GET', `/api/meetings/${meeting}`);

      // ---- the segments ----
      const last = keeper.newest() - 1;
      const first = Math.min(...keeper.kept);
      log(`segments ${first}..${last}; opened at ${kOpen}, closed at ${kClose}, public again at ${kReopen}`);
      const missed = [];
      for (let i = first; i <= last; i++) if (!keeper.kept.has(i)) missed.push(i);
      check(missed.length === 0, `every segment was kept (missed ${missed.join(',')})`);
      const seg = {};
      for (let i = first; i <= last; i++) seg[i] = analyse(keeper.file(i));
      const range = (a, b) => Object.keys(seg).map(Number).filter((i) => i >= a && i <= b);
      const sum = (idx, key) => idx.reduce((n, i) => n + seg[i][key], 0);
      // A segment straddling a switch may carry either side: those are left out, and more
      // after a switch for the delay: a segment's file appears when its first keyframe reaches
      // the muxer, up to two segments after the room's moment (in ten runs the first silent
      // segment was kClose + 2, and once that one still ended on 0.2 s of the speech said
      // before the switch). Leaks anywhere are caught by the tone check over every segment.
      const before = range(first, kOpen - 1);
      const open1 = range(kOpen + 2, kClose - 1);
      const closed = range(kClose + 3, kReopen - 1);
      const open2 = range(kReopen + 2, last);
      log(`loudest window per segment (dBFS): ${Object.entries(seg).map(([i, s]) => `${i}:${s.loudest.toFixed(0)}`).join(' ')}`);
      check(before.length >= 2 && closed.length >= 3 && open1.length >= 2 && open2.length >= 2, `enough segments in each part (${before.length}, ${open1.length}, ${closed.length}, ${open2.length})`);
      for (const i of [...before, ...closed])
        check(seg[i].loudest < -60, `segment ${i} (${before.includes(i) ? 'before opening' : 'closed'}) is silent: loudest ${seg[i].loudest.toFixed(1)} dBFS`);
      check(sum(open1, 'speechWindows') >= 5, `speech in the public part before the closed session (${sum(open1, 'speechWindows')} windows)`);
      check(sum(open2, 'speechWindows') >= 5, `speech in the public part after it (${sum(open2, 'speechWindows')} windows)`);
      const toned = Object.entries(seg).filter(([, s]) => s.toneWindows > 0);
      check(toned.length === 0, `no segment carries the tone (${toned.map(([i, s]) => `${i}:${s.toneWindows}`).join(' ')})`);
      // Pictures: the slate is black and white; the chair's camera (Chromium's fake one) has colour.
      const slate = closed.map((i) => colourfulness(keeper.file(i)).spread);
      const live = [...open1, ...open2].map((i) => colourfulness(keeper.file(i)).spread);
      log(`colour spread: closed ${slate.join(',')}; public ${live.join(',')}`);
      check(Math.max(...slate) <= 24, 'the closed session shows the slate only');
      check(Math.max(...live) >= 60, 'the public parts show a camera');
      const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height,sample_rate', '-of', 'csv=p=0', keeper.file(open2[0])], { encoding: 'utf8' });
      check(/h264,640,360/.test(probe) && /aac,48000/.test(probe), `segments are H.264 640x360 + AAC 48 kHz: ${probe.trim().replace(/\n/g, ' | ')}`);

      // ---- Icecast: the same gate ----
      const radioWin = windows(decodeAudio(path.join(dir, 'radio.ogg')));
      const radioProbe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path.join(dir, 'radio.ogg')], { encoding: 'utf8' }).trim();
      const third = Math.floor(radioWin.length / 3);
      const speechIn = (ws) => ws.filter((x) => db(x.power) > -45 && x.toneShare < 0.5).length;
      let run = 0, longest = 0;
      for (const x of radioWin) {
        run = db(x.power) < -60 ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      log(`icecast listener: ${radio.bytes} bytes, ${radioProbe}, ${(radioWin.length / 10).toFixed(1)} s; speech windows ${speechIn(radioWin.slice(0, third))} / ${speechIn(radioWin.slice(-third))} in the first/last third; longest silence ${(longest / 10).toFixed(1)} s`);
      check(radioProbe === 'opus' && radioWin.length > 200, `the Icecast stream is Ogg/Opus and was heard (${radioProbe}, ${radioWin.length} windows)`);
      check(speechIn(radioWin.slice(0, third)) >= 5 && speechIn(radioWin.slice(-third)) >= 5, 'the Icecast listener hears the speech before and after the closed session');
      check(longest >= 80, `the Icecast listener hears silence during the closed session (${(longest / 10).toFixed(1)} s)`);
      check(radioWin.every((x) => !(db(x.power) > -50 && x.toneShare > 0.5)), 'the Icecast listener never hears the tone');

      // ---- WHEP: the same gate, heard and seen in Chromium ----
      const inPart = (a, b) => heard.filter((x) => x.t >= a && x.t < b);
      const loud = (ws) => Math.max(-200, ...ws.map((x) => db(x.power)));
      const speechW = (ws) => ws.filter((x) => db(x.power) > -45 && x.toneShare < 0.5).length;
      const wOpen = inPart(events.open + 2000, events.close);
      const wClosed = inPart(events.close + 2000, events.reopen);
      const wAgain = inPart(events.reopen + 2000, events.end);
      log(`WHEP in Chromium: ${heard.length} windows; speech ${speechW(wOpen)} / ${speechW(wAgain)} before/after, loudest while closed ${loud(wClosed).toFixed(1)} dBFS; colour spread closed ${whepSlate.spread}, public ${whepLive.spread}; ${whepWhep} WHEP viewer(s) in /metrics`);
      check(wClosed.length >= 60 && loud(wClosed) < -60, `the WHEP viewer hears silence during the closed session (${wClosed.length} windows, loudest ${loud(wClosed).toFixed(1)} dBFS)`);
      check(speechW(wOpen) >= 5 && speechW(wAgain) >= 5, 'the WHEP viewer hears the speech before and after');
      check(heard.every((x) => !(db(x.power) > -50 && x.toneShare > 0.5)), 'the WHEP viewer never hears the tone');
      check(whepSlate.spread <= 24 && whepLive.spread >= 60, 'the WHEP viewer sees the slate, then a camera');
      check(whepWhep >= 1, '/metrics counts the WHEP viewer');
      const session = await pub.evaluate(() => window.kaigi.state.whepUrl);
      const del = await fetch(server.base + session, { method: 'DELETE' });
      const again = await fetch(server.base + session, { method: 'DELETE' });
      check(del.status === 204 && again.status === 404, `DELETE ends the WHEP session (${del.status}, then ${again.status})`);
      const bad = await fetch(`${server.base}/api/public/meetings/${meeting}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\nnot an offer' });
      check(bad.status === 400, `a broken offer is refused with 400 (${bad.status})`);

      // ---- the recording keeps what the public did not get ----
      const toneRef = `r${doc.roster.find((r) => r.name === 'Tone Member').id}`;
      const trackDir = path.join(server.dataDir, 'meetings', String(meeting), 'tracks', toneRef);
      const pieces = fs.readdirSync(trackDir).filter((f) => f.startsWith('audio-') && f.endsWith('.webm'));
      const recTone = pieces.reduce((n, f) => n + windows(decodeAudio(path.join(trackDir, f))).filter((x) => db(x.power) > -50 && x.toneShare > 0.5).length, 0);
      check(recTone >= 50, `the tone member's recording has the tone (${recTone} windows of 100 ms in ${pieces.length} pieces)`);

      // ---- the program as the closed session would have looked: recorded apart, marked ----
      const manifest = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'meetings', String(meeting), 'manifest.json'), 'utf8'));
      const closedSegs = (manifest.program_closed ?? []).flatMap((r) => r.segments);
      const closedFiles = closedSegs.map((c) => path.join(server.dataDir, 'meetings', String(meeting), c.file)).filter((f) => fs.existsSync(f));
      const closedA = closedFiles.map((f) => analyse(f));
      // The tone (-28 dBFS in the mix) under the talker's speech: counted by its own power, as
      // the talker rarely pauses long enough for it to be most of a window (speech puts at
      // most about -38 dBFS into the tone's bin).
      const closedTone = closedA.reduce((n, a) => n + a.toneDb.filter((t) => t > -34).length, 0);
      const closedSpread = Math.max(0, ...closedFiles.map((f) => colourfulness(f).spread));
      const closedSecs = closedA.reduce((n, a) => n + a.windows, 0) / 10;
      const inClosed = closedSegs.every((c) => c.wall_start_us / 1000 >= events.close - 1000 && c.wall_start_us / 1000 <= events.reopen + 1000);
      log(`closed-session program: ${closedFiles.length} segments, ${closedSecs.toFixed(1)} s (closed for ${((events.reopen - events.close) / 1000).toFixed(1)} s), tone in ${closedTone} windows, colour spread ${closedSpread}`);
      check(closedFiles.length >= 2 && closedFiles.every((f) => path.basename(f).startsWith('closed-')), `the closed session's program is recorded apart (${closedSegs.map((c) => c.file).join(', ')})`);
      check(inClosed, 'its segments lie within the closed session');
      check(closedTone >= 50, `it has the tone the public never got (${closedTone} windows with the tone over -34 dBFS)`);
      check(closedSpread >= 60, `it shows a camera, not the slate (colour spread ${closedSpread})`);
      // On a new connection: the analysis above kept this process busy long enough for the
      // server to close the idle keep-alive ones fetch would reuse.
      const archive = JSON.parse(await freshGet(`${server.base}/api/public/meetings/${meeting}/archive`));
      const publicSegs = (manifest.program ?? []).flatMap((r) => r.segments).length;
      check(archive.segments === publicSegs, `the public archive serves the public program only (${archive.segments} segments of ${publicSegs} public, ${closedSegs.length} closed)`);

      // ---- the archive's exports: the mix keeps the closed session, the public version not ----
      const exportDir = path.join(dir, 'export');
      const exportOut = execFileSync(recorderBin, ['export', server.dataDir, String(meeting), exportDir], { encoding: 'utf8', timeout: 180000 });
      log(`export:\n${exportOut}`);
      const mixA = analyse(path.join(exportDir, 'mixed.webm'));
      const pubA = analyse(path.join(exportDir, 'public.webm'));
      // Public time less the export's margins: 1.5 s after and 0.5 s before each part that was
      // not public (recorder/archive.c), twice here.
      const publicS = (events.close - events.open + (events.adjourn - events.reopen)) / 1000 - 4;
      const toneIn = (a) => a.toneDb.filter((d) => d > -40).length;
      const sorted = (a) => [...a.toneDb].sort((x, y) => y - x);
      log(`mixed.webm: ${(mixA.windows / 10).toFixed(1)} s, tone at over -40 dB in ${toneIn(mixA)} windows (top ${sorted(mixA).slice(0, 3).map((d) => d.toFixed(0))}, 150th ${sorted(mixA)[150]?.toFixed(0)}), speech in ${mixA.speechWindows}; public.webm: ${(pubA.windows / 10).toFixed(1)} s (public for ${publicS.toFixed(1)} s by the test's clock), tone at most ${sorted(pubA)[0].toFixed(0)} dB, speech in ${pubA.speechWindows}`);
      check(toneIn(mixA) >= 100, `the mixed export has the closed session's tone (${toneIn(mixA)} windows)`);
      check(toneIn(pubA) === 0 && pubA.toneWindows === 0, `the public export has no trace of the tone (loudest ${sorted(pubA)[0].toFixed(0)} dB)`);
      check(pubA.speechWindows >= 20, `the public export has the speech (${pubA.speechWindows} windows)`);
      check(Math.abs(pubA.windows / 10 - publicS) < 2, `the public export lasts the public time (${pubA.windows / 10} s vs ${publicS.toFixed(1)} s)`);

      // ---- 傍聴人数 ----
      const minutes = JSON.parse(execFileSync(minutesBin, ['export', '--data-dir', server.dataDir, '--meeting', String(meeting), '--format', 'json'], { encoding: 'utf8', timeout: 30000 }));
      check(minutes.viewers >= 2, `the minutes' 傍聴人数 is the peak (${minutes.viewers})`);
      log(`closed-session segments silent (${closed.length}), tone absent from ${Object.keys(seg).length} segments, present in the recording (${recTone} windows); peak viewers ${minutes.viewers}`);
    } catch (err) {
      for (const p of pages) await dumpPage(p).catch(() => {});
      throw err;
    }
  },
  { timeoutMs: 240000 },
);
