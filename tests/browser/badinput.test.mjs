// badinput.test.mjs: hostile and broken signalling while a real meeting goes on.
//
// Two real Chromium pages are in the meeting and keep exchanging media. Meanwhile other
// WebSockets (the `ws` package, no browser) send what docs/protocol.md says the server
// must refuse: invalid JSON, non-objects, missing or wrong types, unknown types, bad
// members, forged/expired/other-meeting join tokens, messages before join, a second join, a
// member trying the chair's controls, garbage SDP, binary frames, an
// oversized message (whole and in fragments), a flood of pings, and a socket dropped right
// after join without `leave`. Each must get its error code and the documented socket fate.
// Afterwards the server is alive, /api/status answers with only the real pages counted, and
// the real pages still decode each other's video. Prints one line per case. Exits 0 on pass.

import WebSocket from 'ws';
import {
  Server,
  TestFailure,
  check,
  dumpPage,
  framesFrom,
  joinPage,
  launchBrowser,
  log,
  makeSilenceWav,
  pageStats,
  runTest,
  sleep,
  tempDir,
  waitConnected,
  waitFor,
} from './lib.mjs';

const MAX_MESSAGE = 65536;

// One raw signalling socket with a log of what came back.
class Client {
  constructor(url, label) {
    this.label = label;
    this.messages = [];
    this.cursor = 0;
    this.closeInfo = null;
    this.ws = new WebSocket(url, 'kaigi', { maxPayload: 1 << 20 });
    this.ws.on('message', (data, isBinary) => {
      let m;
      try {
        m = JSON.parse(String(data));
      } catch {
        m = { type: '(not json)', raw: String(data).slice(0, 200), isBinary };
      }
      this.messages.push(m);
    });
    this.ws.on('error', (err) => {
      this.error = err;
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: String(reason) };
        resolve(this.closeInfo);
      });
    });
  }

  static async open(url, label) {
    const c = new Client(url, label);
    await waitFor(
      () => {
        if (c.closeInfo || c.error) throw new TestFailure(`${label}: socket failed to open: ${c.error?.message ?? c.closeInfo.code}`);
        return c.ws.readyState === WebSocket.OPEN;
      },
      5000,
      `${label}: socket to open`,
      20,
    );
    check(c.ws.protocol === 'kaigi', `${label}: the server accepted sub-protocol kaigi (got '${c.ws.protocol}')`);
    return c;
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  // Waits for the next message (after the last one expected) that matches pred.
  async expect(pred, what, ms = 5000) {
    return waitFor(
      () => {
        for (let i = this.cursor; i < this.messages.length; i++) {
          if (pred(this.messages[i])) {
            this.cursor = i + 1;
            return this.messages[i];
          }
        }
        if (this.closeInfo && this.cursor >= this.messages.length)
          throw new TestFailure(`${this.label}: closed (${this.closeInfo.code}) before ${what}; got ${this.recent()}`);
        return null;
      },
      ms,
      `${this.label}: ${what}; got ${this.recent()}`,
      10,
    );
  }

  async expectError(code, ms = 5000) {
    const m = await this.expect((x) => x.type === 'error', `error ${code}`, ms);
    check(m.code === code, `${this.label}: expected error ${code}, got ${JSON.stringify(m)}`);
    check(typeof m.message === 'string' && m.message.length > 0, `${this.label}: error ${code} has a message`);
    return m;
  }

  // The socket still works: a ping is answered.
  async expectAlive() {
    check(this.open, `${this.label}: the socket is still open`);
    this.send({ type: 'ping' });
    await this.expect((x) => x.type === 'pong', 'pong');
  }

  async expectClosed(code, ms = 5000) {
    const info = await Promise.race([this.closed, sleep(ms).then(() => null)]);
    check(info, `${this.label}: the server closed the socket within ${ms} ms`);
    check(info.code === code, `${this.label}: close code ${code} (got ${info.code} '${info.reason}')`);
    return info;
  }

  recent() {
    return JSON.stringify(this.messages.slice(-3).map((m) => (m.sdp ? { ...m, sdp: '…' } : m)));
  }

  kill() {
    this.ws.terminate();
  }
}

await runTest(
  'badinput',
  async () => {
    const dir = tempDir();
    const silenceWav = makeSilenceWav(dir);
    const server = await new Server().start();
    const browser = await launchBrowser({ audioFile: silenceWav });
    const real = await joinPage(browser, server, 'Real person');
    const other = await joinPage(browser, server, 'Other person');
    const realId = await real.evaluate(() => window.kaigi.id);
    const otherId = await other.evaluate(() => window.kaigi.id);
    const sockets = [];
    const results = [];
    const meeting = server.meetingId;
    const tokenOf = async (name) => new URL(await server.linkFor(name)).hash.replace(/^#t=/, '');
    const joinAs = async (name) => ({ type: 'join', meeting, token: await tokenOf(name) });
    const sign = (payload) => server.signToken(payload); // genuine, to make an expired one

    const open = async (label) => {
      const c = await Client.open(server.wsUrl, label);
      sockets.push(c);
      return c;
    };
    // Runs one case; a failed case is recorded and the others still run (one run shows
    // every problem), unless the server died.
    const failures = [];
    const run = async (label, fn) => {
      const t0 = Date.now();
      try {
        await fn(label);
        results.push(`${label.padEnd(50)} ok    ${String(Date.now() - t0).padStart(5)} ms`);
      } catch (err) {
        if (!(err instanceof TestFailure) || !server.alive()) throw err;
        failures.push(`${label}: ${err.message}`);
        results.push(`${label.padEnd(50)} FAIL  ${String(Date.now() - t0).padStart(5)} ms  ${err.message}`);
      }
    };
    const stillDecoding = async (what) => {
      const a0 = await pageStats(real);
      await sleep(1500);
      const a1 = await pageStats(real);
      const f0 = framesFrom(a0, otherId) ?? 0;
      const f1 = framesFrom(a1, otherId) ?? 0;
      check(a1.pcState === 'connected', `the real page is still connected ${what}`);
      check(f1 > f0, `the real page still decodes frames from the other ${what} (${f0} -> ${f1})`);
      return f1 - f0;
    };

    try {
      await Promise.all([waitConnected(real), waitConnected(other)]);
      await waitFor(
        async () => (framesFrom(await pageStats(real), otherId) ?? 0) > 0,
        15000,
        'the real page to decode video from the other page',
      );
      log(`real pages ${realId} and ${otherId} connected; ${await stillDecoding('before')} frames in 1.5 s`);

      const a = await open('malformed');
      await run('invalid JSON -> bad-json, stays open', async () => {
        a.send('{"type": "join", "name": ');
        await a.expectError('bad-json');
        a.send('not json at all');
        await a.expectError('bad-json');
        await a.expectAlive();
      });
      await run('no type / non-object -> bad-json, stays open', async () => {
        for (const text of ['{"name":"x"}', '[1,2,3]', '"ping"', '42', 'null', '{"type":5}', '{"type":null}', '{}']) {
          a.send(text);
          await a.expectError('bad-json');
        }
        await a.expectAlive();
      });
      await run('binary frame -> bad-json, stays open', async () => {
        a.ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
        await a.expectError('bad-json');
        await a.expectAlive();
      });
      await run('unknown type -> unknown-type, stays open', async () => {
        a.send({ type: 'dance' });
        await a.expectError('unknown-type');
        a.send({ type: 'WELCOME' });
        await a.expectError('unknown-type');
        await a.expectAlive();
      });
      await run('before join -> not-joined, stays open', async () => {
        a.send({ type: 'ice', candidate: 'candidate:1 1 UDP 2015364095 127.0.0.1 9 typ host', sdpMLineIndex: 0 });
        await a.expectError('not-joined');
        a.send({ type: 'answer', sdp: 'v=0\r\n' });
        await a.expectError('not-joined');
        a.send({ type: 'mute', audio: false });
        await a.expectError('not-joined');
        a.send({ type: 'leave' });
        await a.expectError('not-joined');
        await a.expectAlive();
      });
      await run('bad members -> bad-message, stays open', async () => {
        a.send({ type: 'join' });
        await a.expectError('bad-message');
        a.send({ type: 'join', name: 'x' });
        await a.expectError('bad-message');
        a.send({ type: 'join', meeting: String(meeting), token: 'x' });
        await a.expectError('bad-message');
        a.send({ type: 'join', meeting, token: ['x'] });
        await a.expectError('bad-message');
        await a.expectAlive();
      });
      await run('bad tokens -> token-*, closed 1008', async () => {
        const good = await tokenOf('Token holder');
        const now = Math.floor(Date.now() / 1000);
        const cases = [
          [{ meeting, token: 'kaigi1.eyJtIjoxfQ.AAAA' }, 'token-invalid'],
          [{ meeting, token: good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA') }, 'token-invalid'],
          [{ meeting, token: sign({ m: meeting, r: 'chair', p: 'r1', e: now - 60 }) }, 'token-expired'],
          [{ meeting: meeting + 1000, token: good }, 'token-wrong-meeting'],
          [{ meeting, token: 'x'.repeat(5000) }, 'token-invalid'],
        ];
        for (const [msg, code] of cases) {
          const t = await open(code);
          t.send({ type: 'join', ...msg });
          await t.expectError(code);
          await t.expectClosed(1008);
        }
      });
      await run('fragmented message is reassembled', async () => {
        a.ws.send('{"type":', { fin: false });
        a.ws.send('"pi', { fin: false });
        a.ws.send('ng"}', { fin: true });
        await a.expect((x) => x.type === 'pong', 'pong for a fragmented ping');
      });
      await run('then a good join, a second join -> already-joined', async () => {
        a.send(await joinAs('x'.repeat(64)));
        const w = await a.expect((x) => x.type === 'welcome', 'welcome');
        check(typeof w.id === 'string' && Number.isInteger(w.slots), 'welcome has id and slots');
        check(w.you?.role === 'member', 'welcome says the role');
        await a.expect((x) => x.type === 'offer', 'offer');
        a.send(await joinAs('again'));
        await a.expectError('already-joined');
        for (const msg of [
          { type: 'state', to: 'open' },
          { type: 'floor', give: w.id },
          { type: 'mute-other', participant: realId },
          { type: 'remove', participant: realId },
          { type: 'decision', item: 1, kind: 'approved' },
        ]) {
          a.send(msg);
          await a.expectError('forbidden');
        }
        a.send({ type: 'ice', candidate: 'candidate:1 1 UDP 2015364095 127.0.0.1 9 typ host', sdpMLineIndex: 'zero' });
        await a.expectError('bad-message');
        a.send({ type: 'mute', audio: 'yes' });
        await a.expectError('bad-message');
        await a.expectAlive();
        a.send({ type: 'leave' });
        await a.expectClosed(1000);
      });

      const b = await open('bad-sdp');
      await run('garbage SDP answer -> bad-sdp, stays open', async () => {
        b.send(await joinAs('Bad SDP'));
        await b.expect((x) => x.type === 'welcome', 'welcome');
        await b.expect((x) => x.type === 'offer', 'offer');
        b.send({ type: 'answer', sdp: 'this is not SDP at all' });
        await b.expectError('bad-sdp');
        b.send({ type: 'answer', sdp: '' });
        await b.expectError('bad-sdp');
        b.send({ type: 'answer', sdp: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' });
        await b.expectError('bad-sdp');
        await b.expectAlive();
        b.send({ type: 'leave' });
        await b.expectClosed(1000);
      });

      const c = await open('too-large');
      await run('message over 65536 bytes -> too-large, closed 1009', async () => {
        c.send({ type: 'ping', pad: 'x'.repeat(MAX_MESSAGE + 100) });
        await c.expectError('too-large');
        await c.expectClosed(1009);
      });
      const c2 = await open('too-large-fragments');
      await run('fragments adding up over 65536 -> too-large, 1009', async () => {
        const half = 'x'.repeat(40000);
        c2.ws.send(`{"type":"ping","pad":"${half}`, { fin: false });
        c2.ws.send(`${half}"}`, { fin: true });
        await c2.expectError('too-large');
        await c2.expectClosed(1009);
      });

      const d = await open('flood');
      await run('2000 pings at once -> rate-limited, closed 1008', async () => {
        for (let i = 0; i < 2000 && d.open; i++) d.send({ type: 'ping' });
        await d.expectError('rate-limited');
        await d.expectClosed(1008);
        const pongs = d.messages.filter((m) => m.type === 'pong').length;
        log(`flood: ${pongs} pongs before rate-limited`);
        check(pongs > 0 && pongs < 2000, `some pings were answered before the limit (${pongs})`);
      });

      const e = await open('abrupt');
      await run('socket dropped right after join, no leave', async () => {
        e.send(await joinAs('Vanishing'));
        const w = await e.expect((x) => x.type === 'welcome', 'welcome');
        e.kill();
        await waitFor(
          () =>
            real.evaluate(
              (id) => window.kaigi.events.some((ev) => ev.type === 'participant-left' && ev.id === id),
              w.id,
            ),
          5000,
          `the real page to see ${w.id} (dropped socket) leave`,
        );
      });
      const e2 = await open('abrupt-after-answer');
      await run('socket dropped after offer, mid-negotiation', async () => {
        e2.send(await joinAs('Half there'));
        const w = await e2.expect((x) => x.type === 'welcome', 'welcome');
        await e2.expect((x) => x.type === 'offer', 'offer');
        e2.ws.close(4000, 'gone');
        await waitFor(
          () =>
            real.evaluate(
              (id) => window.kaigi.events.some((ev) => ev.type === 'participant-left' && ev.id === id),
              w.id,
            ),
          5000,
          `the real page to see ${w.id} leave`,
        );
      });

      console.log('');
      for (const r of results) console.log(r);
      console.log('');

      check(server.alive(), 'the server is alive');
      const status = await waitFor(
        async () => {
          const s = await server.status();
          return s?.participants === 2 ? s : null;
        },
        5000,
        '/api/status to count the two real pages only',
      );
      log(`server status after the abuse: ${JSON.stringify(status)}`);
      const frames = await stillDecoding('after the abuse');
      log(`real page decoded ${frames} frames in 1.5 s after the abuse`);
      check(
        !(await real.evaluate(() => window.kaigi.participants)).some((p) => p.id !== otherId),
        'the real page lists only the other real page',
      );
      check(failures.length === 0, `${failures.length} case(s) failed:\n  ${failures.join('\n  ')}`);
    } catch (err) {
      for (const s of sockets) console.error(`${s.label}: ${s.recent()} close ${JSON.stringify(s.closeInfo)}`);
      await dumpPage(real);
      server.dumpLog(40);
      throw err;
    } finally {
      for (const s of sockets) s.kill();
    }
  },
  { timeoutMs: 60000 },
);
