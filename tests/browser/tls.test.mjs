// tls.test.mjs: kaigi-server serves HTTPS and WSS from [server] tls-certificate/tls-key, and
// a SIGHUP loads a renewed certificate without dropping anyone.
//
// Self-signed certificates are made with openssl at test time. Checked:
//   - the page and /api/status come over HTTPS with certificate A;
//   - a participant joins over WSS (welcome carries iceServers);
//   - the files are replaced by certificate B (rename, as ACME clients do) and the server gets
//     SIGHUP: new connections get B, while the open WebSocket still answers and the
//     participant is still in the meeting;
//   - a broken certificate file on the next SIGHUP is refused and B stays in use.
// No browser: Node's https and the ws package are the clients.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { Server, check, httpsGet, log, runTest, sleep, tempDir, waitFor } from './lib.mjs';

function makeCert(dir, name) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert, pem: fs.readFileSync(cert, 'utf8') };
}

// Replaces @to with @from in one rename, so the server never reads half a file.
function install(from, to) {
  fs.copyFileSync(from, `${to}.new`);
  fs.renameSync(`${to}.new`, to);
}

// Opens a WSS socket, joins, and collects messages.
function openSocket(url, ca) {
  const ws = new WebSocket(url, 'kaigi', { ca });
  const msgs = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
  ws.closed = false;
  ws.on('close', () => (ws.closed = true));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, msgs }));
    ws.on('error', reject);
  });
}

await runTest(
  'tls',
  async () => {
    const dir = tempDir();
    const a = makeCert(dir, 'kaigi-a');
    const b = makeCert(dir, 'kaigi-b');
    const certPath = path.join(dir, 'server.pem');
    const keyPath = path.join(dir, 'server.key');
    install(a.cert, certPath);
    install(a.key, keyPath);
    const conf = path.join(dir, 'kaigi.conf');
    fs.writeFileSync(conf, `[server]\ntls-certificate = ${certPath}\ntls-key = ${keyPath}\n`);
    const ca = [a.pem, b.pem];
    const server = await new Server({ args: ['--config', conf], ca }).start();

    const page = await httpsGet(`${server.base}/`, { ca });
    check(page.status === 200 && page.body.includes('<html'), `GET / over HTTPS (got ${page.status})`);
    check(page.cert.subject.CN === 'kaigi-a', `certificate A served (got ${page.cert.subject.CN})`);
    log(`HTTPS: / is ${page.body.length} bytes, certificate CN=${page.cert.subject.CN}`);

    const { ws, msgs } = await openSocket(server.wsUrl, ca);
    // A member of the demo meeting (1), with a token signed by the server's secret.
    const token = server.signToken({ m: 1, r: 'member', p: 'r2', e: Math.floor(Date.now() / 1000) + 600 });
    ws.send(JSON.stringify({ type: 'join', meeting: 1, token, media: false }));
    const welcome = await waitFor(() => msgs.find((m) => m.type === 'welcome'), 5000, 'welcome over WSS');
    check(Array.isArray(welcome.iceServers), 'welcome has iceServers');
    check((await server.status())?.participants === 1, 'one participant before the reload');

    install(b.cert, certPath);
    install(b.key, keyPath);
    server.proc.kill('SIGHUP');
    await waitFor(() => server.logLines.some((l) => l.includes('reloaded')), 5000, 'the reload line');
    const after = await httpsGet(`${server.base}/api/status`, { ca });
    check(after.cert.subject.CN === 'kaigi-b', `certificate B after SIGHUP (got ${after.cert.subject.CN})`);
    check(JSON.parse(after.body).participants === 1, 'the participant is still in the meeting');
    const pongs = msgs.filter((m) => m.type === 'pong').length;
    ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => msgs.filter((m) => m.type === 'pong').length > pongs, 5000, 'pong on the old socket');
    check(!ws.closed, 'the WebSocket opened before the reload is still open');
    log(`after SIGHUP: new connections get CN=${after.cert.subject.CN}; the old WSS still answers`);

    // A broken file is refused; B stays.
    fs.writeFileSync(`${certPath}.new`, 'not a certificate\n');
    fs.renameSync(`${certPath}.new`, certPath);
    server.proc.kill('SIGHUP');
    await waitFor(() => server.logLines.some((l) => l.includes('reload failed')), 5000, 'the failed reload line');
    const still = await httpsGet(`${server.base}/api/status`, { ca });
    check(still.cert.subject.CN === 'kaigi-b', 'certificate B kept after a failed reload');
    log(`broken certificate refused: ${server.logLines.find((l) => l.includes('reload failed'))}`);
    ws.close();
    await sleep(200);
  },
  { timeoutMs: 60000 },
);
