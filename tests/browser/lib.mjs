// lib.mjs: shared helpers of the browser tests and benchmarks.
//
// Starts kaigi-server as a child process on a free loopback port, launches Debian's
// Chromium through playwright-core with fake camera/microphone devices, joins pages to the
// meeting through the real client-web page, reads WebRTC statistics from the pages and the
// server's thread/fd/memory figures from /proc. Everything has a bounded wait, and
// runTest() makes the whole script stop by itself: on success, failure, timeout or signal
// it closes the browsers and kills the server.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceRoot = process.env.KAIGI_SOURCE_ROOT || path.resolve(here, '..', '..');
export const serverBinary =
  process.env.KAIGI_SERVER || path.join(sourceRoot, 'build', 'server', 'kaigi-server');
export const chromiumPath = process.env.KAIGI_CHROMIUM || '/usr/bin/chromium';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(...args) {
  const t = new Date().toISOString().slice(11, 23);
  console.log(`[${t}]`, ...args);
}

export class TestFailure extends Error {}

export function check(cond, message) {
  if (!cond) throw new TestFailure(message);
}

// Rejects after ms with a message naming what was awaited.
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new TestFailure(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

// Polls fn() until it returns a truthy value (returned) or ms pass (throws with what).
export async function waitFor(fn, ms, what, interval = 200) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (err instanceof TestFailure) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? ` (last error: ${last.message})` : '';
      throw new TestFailure(`timed out after ${ms} ms waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

const tempDirs = [];

// A new temporary folder; removed when the test passes, kept (with the server log) when not.
export function tempDir(prefix = 'kaigi-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- cleanup and the test runner ----

const cleanups = [];

export function onCleanup(fn) {
  cleanups.push(fn);
}

async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await withTimeout(Promise.resolve().then(fn), 15000, 'cleanup step');
    } catch (err) {
      console.error('cleanup failed:', err.message);
    }
  }
}

// Runs body() with an overall time limit; exits 0 if it returned and no server died,
// 1 otherwise. Cleanups run in every case, and a second timer forces the exit.
export async function runTest(name, body, { timeoutMs = 90000 } = {}) {
  let code = 0;
  const started = Date.now();
  const stopOnSignal = (sig) => {
    console.error(`${name}: got ${sig}, stopping`);
    runCleanups().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 20000).unref();
  };
  process.on('SIGTERM', stopOnSignal);
  process.on('SIGINT', stopOnSignal);
  try {
    await withTimeout(Promise.resolve().then(body), timeoutMs, `the whole test ${name}`);
    log(`${name}: PASS (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    code = 1;
    console.error(`${name}: FAIL: ${err instanceof TestFailure ? err.message : err.stack || err}`);
  }
  const force = setTimeout(() => {
    console.error(`${name}: cleanup hung, exiting`);
    process.exit(code || 1);
  }, 30000);
  force.unref();
  await runCleanups();
  for (const s of servers) {
    if (s.expectedKill) continue;
    if (s.crashed()) {
      console.error(`${name}: FAIL: kaigi-server ended by itself (${s.exitDescription()})`);
      code = 1;
    }
    if (s.stopping && s.exit && !s.cleanExit()) {
      console.error(`${name}: FAIL: kaigi-server did not stop cleanly on SIGTERM (${s.killed ? 'hung, killed' : s.exitDescription()})`);
      code = 1;
    }
    for (const k of s.knownCriticals())
      console.error(`${name}: note: a known GStreamer 1.22.0 critical (not a failure):\n  ${k}`);
    const criticals = s.criticals();
    if (criticals.length) {
      console.error(`${name}: FAIL: kaigi-server logged ${criticals.length} GLib critical(s):\n  ${criticals.slice(0, 5).join('\n  ')}`);
      code = 1;
    }
  }
  if (code === 0 && !process.env.KAIGI_KEEP_TEMP)
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  else if (tempDirs.length) console.error(`${name}: kept ${tempDirs.join(' ')}`);
  process.exit(code);
}

// ---- the server ----

const servers = [];

// GStreamer 1.22.0's RTP session (gst-plugins-good rtpsession.c, rtp_session_on_timeout)
// sometimes finds its table of sources changed while it walks it to build an RTCP report, on
// its own 'rtpsession-rtcp' thread; GLib then stops that walk (one report interval misses its
// report blocks) and logs a critical. Seen about once in 30 browser tests, in libgstrtpmanager
// only, with no caller of ours on that thread. It is reported, not counted as our failure.
// Any other critical, or this one on another thread or from another library, fails the test.
export function isKnownCritical(text) {
  return (
    /g_hash_table_foreach: assertion 'version == hash_table->version' failed/.test(text) &&
    /stack of thread 'rtpsession-rtcp'/.test(text) &&
    /libgstrtpmanager\.so/.test(text) &&
    noFrameOfOurs(text)
  );
}

// The first frame of a printed stack is the server's log writer (server/log.c); no other frame
// may come from the same executable. Frames read "FILE(SYMBOL+OFFSET)[ADDRESS]", FILE absolute
// or, for the executable, as it was started (KAIGI_SERVER may be relative).
function noFrameOfOurs(text) {
  const frames = text
    .split('\n')
    .map((l) => /^\s*([^\s(:]+)\([^)]*\)\[0x/.exec(l)?.[1])
    .filter(Boolean);
  return frames.length > 1 && frames.slice(1).every((f) => f !== frames[0]);
}

export class Server {
  // ca: a PEM certificate the client trusts; when given, the server is reached over HTTPS/WSS
  // (its config must set tls-certificate and tls-key).
  // logDir: where server.log goes (default: the data folder; a test that fills the data
  // folder's disk keeps its log elsewhere).
  constructor({ args = [], env = {}, label = 'kaigi-server', ca = null, logDir = null } = {}) {
    this.args = args;
    this.logDir = logDir;
    this.ca = ca;
    this.env = env;
    this.label = label;
    this.proc = null;
    this.exit = null;
    this.stopping = false;
    this.logLines = [];
  }

  get pid() {
    return this.proc?.pid;
  }

  async start({ timeoutMs = 15000 } = {}) {
    check(fs.existsSync(serverBinary), `no server binary at ${serverBinary} (set KAIGI_SERVER)`);
    this.port = await freePort();
    // A restart (the same Server, or one given another's dataDir) keeps the data folder.
    this.dataDir ??= tempDir('kaigi-data-');
    this.base = `${this.ca ? 'https' : 'http'}://127.0.0.1:${this.port}`;
    this.wsUrl = `${this.ca ? 'wss' : 'ws'}://127.0.0.1:${this.port}/ws`;
    const args = [
      '--listen',
      `127.0.0.1:${this.port}`,
      '--data-dir',
      this.dataDir,
      '--web-root',
      path.join(sourceRoot, 'client-web'),
      '--ice-address',
      '127.0.0.1',
      ...this.args,
    ];
    this.logPath = path.join(this.logDir ?? this.dataDir, 'server.log');
    // Appended: a restarted server (the kill test) keeps the first one's log.
    const logFile = fs.createWriteStream(this.logPath, { flags: 'a' });
    this.proc = spawn(serverBinary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { GST_DEBUG: '*:1,kaigi*:4', GST_DEBUG_NO_COLOR: '1', ...process.env, ...this.env },
    });
    servers.push(this);
    const keep = (chunk) => {
      logFile.write(chunk);
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        this.logLines.push(line);
        if (this.logLines.length > 400) this.logLines.shift();
      }
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        logFile.end();
        resolve(this.exit);
      });
    });
    onCleanup(() => this.stop());
    log(`${this.label}: started pid ${this.pid} on ${this.base} (log ${this.logPath})`);
    await waitFor(
      async () => {
        if (this.exit) throw new TestFailure(`server exited during start-up (${this.exitDescription()})`);
        const st = await this.status();
        return st;
      },
      timeoutMs,
      `${this.base}/api/status`,
    ).catch((err) => {
      this.dumpLog();
      throw err;
    });
    return this;
  }

  exitDescription() {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  // True if the server, asked to stop, exited by itself with status 0 (or by SIGTERM).
  cleanExit() {
    return !this.killed && (this.exit?.code === 0 || this.exit?.signal === 'SIGTERM');
  }

  // True if the server ended without us asking it to.
  crashed() {
    return !!this.exit && !this.stopping;
  }

  alive() {
    return !this.exit;
  }

  // GET /api/status; the parsed JSON, or null if it did not answer 200.
  async status(timeoutMs = 3000) {
    if (this.ca) {
      const res = await httpsGet(`${this.base}/api/status`, { ca: this.ca, timeoutMs });
      return res.status === 200 ? JSON.parse(res.body) : null;
    }
    const res = await fetch(`${this.base}/api/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return null;
    return res.json();
  }

  // ---- the REST API as the secretariat (docs/meetings-api.md) ----

  // Signs in as `admin` with the password the server wrote on its first start.
  async signIn() {
    if (this.session) return this.session;
    const password = fs.readFileSync(path.join(this.dataDir, 'initial-admin-password'), 'utf8').trim();
    const res = await this.api('POST', '/api/login', { name: 'admin', password }, { auth: false });
    this.session = res.session;
    return this.session;
  }

  // One REST call; resolves to the parsed JSON (or null for 204), throws on another status
  // than @expect.
  async api(method, urlPath, body, { expect = null, auth = true, raw = false } = {}) {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${await this.signIn()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + urlPath, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (raw) return { status: res.status, json, headers: res.headers };
    const ok = expect ? res.status === expect : res.status >= 200 && res.status < 300;
    if (!ok) throw new TestFailure(`${method} ${urlPath}: ${res.status} ${text}`);
    return json;
  }

  // A join token signed with the server's own secret (read from its data folder): for tests
  // that need a token without the REST API (TLS with a private CA) or a genuine but expired one.
  signToken(payload) {
    const key = fs.readFileSync(path.join(this.dataDir, 'secret'));
    const body = 'kaigi1.' + Buffer.from(JSON.stringify(payload)).toString('base64url');
    return body + '.' + crypto.createHmac('sha256', key).update(body).digest('base64url');
  }

  // A meeting for media tests whose roster grows with every name that joins (linkFor).
  async testMeeting() {
    if (!this.meetingId) {
      const doc = await this.api('POST', '/api/meetings', {
        body: 'テスト委員会',
        title: 'Browser test meeting',
        scheduled_at: new Date().toISOString().replace('Z', '+00:00'),
        visibility: 'public',
        venues: [
          { kind: 'main', name: '本会場' },
          { kind: 'online', name: 'オンライン' },
        ],
        agenda: [{ number: '議題1', title: 'Test item' }],
        roster: [{ name: 'Chair', title: '会長', role: 'chair', site: '本会場' }],
      });
      this.meetingId = doc.id;
    }
    return this.meetingId;
  }

  // The join URL of @name (added to the test meeting's roster as an online member with
  // @role if not there yet). Calls are serialized: each edits the roster.
  linkFor(name, role = 'member') {
    const run = async () => {
      const id = await this.testMeeting();
      const doc = await this.api('GET', `/api/meetings/${id}`);
      if (!doc.roster.some((r) => r.name === name)) {
        doc.roster.push({ name, title: role === 'chair' ? '会長' : '委員', role, site: 'オンライン' });
        await this.api('PUT', `/api/meetings/${id}`, doc);
      }
      const { links } = await this.api('POST', `/api/meetings/${id}/links`, {});
      const link = links.find((l) => l.kind === 'roster' && l.name === name);
      check(link, `no link for ${name}`);
      return this.base + link.url;
    };
    this.linkChain = (this.linkChain || Promise.resolve()).then(run, run);
    return this.linkChain;
  }

  // Lines where GLib reported a CRITICAL or an ERROR (programming errors in the server),
  // each with the stack the server prints after it (server/log.c), except the known ones
  // below (knownCriticals).
  criticals() {
    return this.allCriticals().filter((c) => !isKnownCritical(c));
  }

  knownCriticals() {
    return this.allCriticals().filter(isKnownCritical);
  }

  allCriticals() {
    let lines;
    try {
      lines = fs.readFileSync(this.logPath, 'utf8').split('\n');
    } catch {
      return [];
    }
    const found = [];
    lines.forEach((l, i) => {
      if (!/-(CRITICAL|ERROR) \*\*/.test(l)) return;
      const stack = [];
      if (/^kaigi-server: stack of thread/.test(lines[i + 1] || ''))
        for (let j = i + 1; j < lines.length && j <= i + 40 && /^(kaigi-server: stack|\/|\[0x)/.test(lines[j]); j++)
          stack.push(lines[j]);
      found.push([l, ...stack].join('\n    '));
    });
    return found;
  }

  dumpLog(lines = 60) {
    const tail = this.logLines.slice(-lines);
    if (tail.length) console.error(`---- last ${tail.length} lines of ${this.label} output ----\n${tail.join('\n')}\n----`);
  }

  // kill -9, as a power cut or the OOM killer would; the test expects it.
  async kill9() {
    this.expectedKill = true;
    this.proc.kill('SIGKILL');
    await Promise.race([this.exited, sleep(5000)]);
    return this.exit;
  }

  // Every thread's stack of a hung server, through gdb when the machine has it, into
  // stacks.txt next to the server's log (named in the output).
  dumpStacks() {
    const out = path.join(path.dirname(this.logPath), 'stacks.txt');
    const r = spawnSync('gdb', ['-p', String(this.proc.pid), '-batch', '-ex', 'thread apply all bt'], {
      encoding: 'utf8',
      timeout: 60000,
    });
    if (r.error) return;
    fs.writeFileSync(out, r.stdout + r.stderr);
    log(`${this.label}: stacks of its threads in ${out}`);
  }

  async stop() {
    if (!this.proc || this.exit) return this.exit;
    this.stopping = true;
    this.proc.kill('SIGTERM');
    // The server waits up to 10 s for teardowns and for recordings to close their last piece.
    const done = await Promise.race([this.exited, sleep(12000).then(() => null)]);
    if (!done) {
      log(`${this.label}: did not stop on SIGTERM within 12 s, killing`);
      this.dumpStacks();
      this.killed = true;
      this.proc.kill('SIGKILL');
      await Promise.race([this.exited, sleep(3000)]);
    }
    return this.exit;
  }
}

// GET over HTTPS trusting @ca; resolves {status, body, cert} (cert: the server's certificate
// as node sees it, with fingerprint256 and subject).
export function httpsGet(url, { ca, timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: timeoutMs, agent: false }, (res) => {
      const cert = res.socket.getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body, cert }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
  });
}

// ---- /proc figures ----

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export function procFigures(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
    return m ? Number(m[1]) : NaN;
  };
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return {
    threads: field('Threads'),
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    rssKb: field('VmRSS'),
    cpuSeconds: (utime + stime) / clockTicks,
    at: Date.now(),
  };
}

export function formatFigures(f) {
  return `threads ${f.threads}, fds ${f.fds}, RSS ${(f.rssKb / 1024).toFixed(1)} MB`;
}

// ---- sound files ----

// A 48 kHz mono sine of @hz Hz at @gain dBFS for Chromium's fake microphone (which loops the
// file): @seconds of tone, then @silence seconds of silence.
export function makeToneWav(dir, hz, { seconds = 7, silence = 0, gain = -12 } = {}) {
  const out = path.join(dir, `tone-${hz}-${seconds}-${silence}-${-gain}.wav`);
  const pad = silence ? ['pad', String(silence), '0'] : [];
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', out, 'synth', String(seconds), 'sine', String(hz), 'gain', String(gain), ...pad], {
    timeout: 30000,
  });
  return out;
}

// A talker WAV (flite speech, 48 kHz mono) and a silent one, made at test time.
export function makeSpeechWav(dir) {
  const raw = path.join(dir, 'talker-raw.wav');
  const out = path.join(dir, 'talker.wav');
  const text =
    'Good afternoon, everyone. This is the talker speaking to the meeting. ' +
    'The committee will now discuss the first item on the agenda. ' +
    'Please listen carefully, and raise your hand if you have a question. ' +
    'Thank you very much for joining us today.';
  execFileSync('flite', ['-voice', 'rms', '-t', text, '-o', raw], { timeout: 30000 });
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', out, 'norm', '-3'], { timeout: 30000 });
  return out;
}

// Sentences as a speaker says them in a meeting: each followed by a pause long enough to end
// a statement (1.5 s), 48 kHz mono. Chromium loops the file.
export function makeStatementsWav(dir, sentences, { voice = 'rms', name = 'statements' } = {}) {
  const parts = sentences.map((text, i) => {
    const raw = path.join(dir, `${name}-${i}-raw.wav`);
    const out = path.join(dir, `${name}-${i}.wav`);
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', raw], { timeout: 30000 });
    execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', out, 'norm', '-3', 'pad', '0', '1.5'], { timeout: 30000 });
    return out;
  });
  const out = path.join(dir, `${name}.wav`);
  execFileSync('sox', [...parts, out], { timeout: 30000 });
  return out;
}

export function makeSilenceWav(dir) {
  const out = path.join(dir, 'silence.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', out, 'trim', '0', '10'], { timeout: 30000 });
  return out;
}

// ---- the browser ----

export async function launchBrowser({ audioFile = null, label = 'chromium', extraArgs = [] } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
    // Pages in background tabs must keep decoding and sending as if they were visible.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    ...(audioFile ? [`--use-file-for-fake-audio-capture=${audioFile}`] : []),
    ...extraArgs,
  ];
  const browser = await withTimeout(
    chromium.launch({ executablePath: chromiumPath, headless: true, args, timeout: 30000 }),
    40000,
    `launching ${label}`,
  );
  onCleanup(() => browser.close().catch(() => {}));
  return browser;
}

// Opens @name's join link (server.linkFor, or @url if given) in a new context of browser and
// waits until window.kaigi.state is 'joined'. Returns the page.
// query: page parameters added to the link, e.g. '?ice=relay'.
export async function joinPage(browser, server, name, { lang = 'en', timeoutMs = 20000, viewport, url, query = '' } = {}) {
  const context = await browser.newContext({
    viewport: viewport ?? { width: 1280, height: 800 },
    locale: lang === 'ja' ? 'ja-JP' : 'en-US',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.kaigiName = name;
  page.consoleLines = [];
  page.on('console', (m) => {
    page.consoleLines.push(`${m.type()}: ${m.text()}`);
    if (page.consoleLines.length > 200) page.consoleLines.shift();
  });
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  const link = new URL(url ?? (await server.linkFor(name)));
  for (const [k, v] of new URLSearchParams(query)) link.searchParams.set(k, v);
  await page.goto(link.href, { timeout: timeoutMs });
  await waitFor(
    async () => {
      const s = await page.evaluate(() => window.kaigi.state);
      if (s === 'error' || s === 'left') {
        const err = await page.textContent('#error').catch(() => '');
        throw new TestFailure(`${name}: page state ${s}: ${err}`);
      }
      return s === 'joined';
    },
    timeoutMs,
    `${name} to join`,
  );
  return page;
}

export async function closePage(page) {
  await page.context().close().catch(() => {});
}

export async function waitConnected(page, timeoutMs = 20000) {
  return waitFor(
    () => page.evaluate(() => window.kaigi.pc?.connectionState === 'connected'),
    timeoutMs,
    `${page.kaigiName}'s peer connection to be connected`,
  );
}

// The media figures of one page: its id, the slots, and per slot and for the mix the
// inbound-rtp counters. Slot -> transceiver by m-line (checked against the mid).
export async function pageStats(page) {
  return page.evaluate(async () => {
    const k = window.kaigi;
    const pc = k.pc;
    const out = {
      id: k.id,
      state: k.state,
      pcState: pc?.connectionState ?? null,
      participants: k.participants,
      slots: [],
      audio: null,
      outbound: {},
    };
    if (!pc) return out;
    const report = await pc.getStats();
    const inboundByMid = new Map();
    for (const s of report.values()) {
      if (s.type === 'inbound-rtp' && s.mid != null) inboundByMid.set(String(s.mid), s);
      if (s.type === 'outbound-rtp') out.outbound[s.kind] = { packetsSent: s.packetsSent, bytesSent: s.bytesSent };
    }
    const trs = pc.getTransceivers();
    const audioIn = inboundByMid.get(String(trs[0]?.mid));
    out.audio = audioIn
      ? {
          mid: trs[0].mid,
          packetsReceived: audioIn.packetsReceived ?? 0,
          totalAudioEnergy: audioIn.totalAudioEnergy ?? 0,
          totalSamplesDuration: audioIn.totalSamplesDuration ?? 0,
          audioLevel: audioIn.audioLevel ?? 0,
        }
      : { mid: trs[0]?.mid ?? null, packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0, audioLevel: 0 };
    for (const slot of k.slots) {
      const tr = trs[slot.mline];
      const mid = tr?.mid ?? null;
      const s = mid != null ? inboundByMid.get(String(mid)) : null;
      out.slots.push({
        index: slot.index,
        mline: slot.mline,
        mid,
        serverMid: slot.mid,
        participant: slot.participant,
        framesDecoded: s?.framesDecoded ?? 0,
        packetsReceived: s?.packetsReceived ?? 0,
        frameWidth: s?.frameWidth ?? 0,
        frameHeight: s?.frameHeight ?? 0,
      });
    }
    return out;
  });
}

// framesDecoded of the slot that shows participant pid on this page (null if none).
export function framesFrom(stats, pid) {
  const slot = stats.slots.find((s) => s.participant === pid);
  return slot ? slot.framesDecoded : null;
}

// Mean audio energy per second of received audio between two pageStats() samples.
export function audioPower(before, after) {
  const de = after.audio.totalAudioEnergy - before.audio.totalAudioEnergy;
  const dt = after.audio.totalSamplesDuration - before.audio.totalSamplesDuration;
  return { energy: de, seconds: dt, power: dt > 0 ? de / dt : 0 };
}

export async function dumpPage(page) {
  try {
    const ev = await page.evaluate(() => window.kaigi.events.map((e) => JSON.stringify(e)).slice(-30));
    console.error(`---- ${page.kaigiName}: last signalling messages ----\n${ev.join('\n')}`);
  } catch {
    // page gone
  }
  if (page.consoleLines?.length)
    console.error(`---- ${page.kaigiName}: console ----\n${page.consoleLines.slice(-30).join('\n')}`);
}

// kaigi-recorder (the build's, or KAIGI_RECORDER) on @args: {status, out} (stdout + stderr).
export const recorderBinary = process.env.KAIGI_RECORDER || path.join(sourceRoot, 'build', 'recorder', 'kaigi-recorder');
export function runRecorder(args) {
  const r = spawnSync(recorderBinary, args, { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, out: (r.stdout || '') + (r.stderr || '') };
}

// The recording manifest of @server's test meeting (docs/recording.md).
export function manifestOf(server, meeting = server.meetingId) {
  return JSON.parse(fs.readFileSync(path.join(server.dataDir, 'meetings', String(meeting), 'manifest.json'), 'utf8'));
}
