// whip.test.mjs: a venue publishes its room mics and camera through WHIP (RFC 9725), the
// way OBS or a hardware encoder does, here from Chromium's own RTCPeerConnection (fake camera,
// a tone as the room's sound).
//
//   - refused: no token (401), a forged token (401), a member's token (403), a body that is
//     not application/sdp (415), an offer that is not SDP (400);
//   - with the main venue's join token, the encoder's offer (VP8 + Opus) gets 201, an answer
//     with candidates and a Location; a member sees the ingest ("本会場 (WHIP)") in a slot,
//     decoding its video, and hears the tone in their mix;
//   - the venue's own page (the same venue's link) does not hear it: a room never hears
//     itself from its loudspeakers (the page and the ingest are one place in the mix);
//   - DELETE with the token ends it: the member sees the ingest leave;
//   - an H.264-only offer (what OBS sends) is answered with H.264, and the member decodes the
//     ingest's video (transcoded to VP8 by the server);
//   - while a venue's ingest runs, its page's mic is out of the mix (the member hears the
//     page's tone before and after a silent ingest, not during it).
// Exits 0 on pass.

import {
  Server,
  audioPower,
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

// In the encoder's page: offers what its fake devices capture (H.264 only if @h264), waits for
// ICE gathering, POSTs the offer with @token, applies the answer.
async function publish(page, url, token, { h264 = false, type = 'application/sdp', body = null, silent = false } = {}) {
  return page.evaluate(
    async ({ url, token, h264, type, body, silent }) => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: !silent, video: { width: 640, height: 360 } });
      if (silent) {
        // The room's sound: silence (a WebAudio track with no input).
        const ctx = new AudioContext();
        stream.addTrack(ctx.createMediaStreamDestination().stream.getAudioTracks()[0]);
      }
      for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
      if (h264) {
        const codecs = RTCRtpSender.getCapabilities('video').codecs.filter(
          (c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? ''),
        );
        if (!codecs.length) return { status: 0, body: 'this Chromium cannot send H.264' };
        pc.getTransceivers()[1].setCodecPreferences(codecs);
      }
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
        setTimeout(resolve, 3000);
      });
      const headers = { 'content-type': type };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(url, { method: 'POST', headers, body: body ?? pc.localDescription.sdp });
      const text = await res.text();
      if (res.status !== 201) {
        pc.close();
        for (const t of stream.getTracks()) t.stop();
        return { status: res.status, body: text };
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: text });
      window.whip = { pc, stream, location: res.headers.get('location') };
      return { status: 201, location: window.whip.location, answer: text };
    },
    { url, token, h264, type, body, silent },
  );
}

async function unpublish(page, base, token) {
  return page.evaluate(
    async ({ base, token }) => {
      const res = await fetch(base + window.whip.location, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      window.whip.pc.close();
      for (const t of window.whip.stream.getTracks()) t.stop();
      return res.status;
    },
    { base, token },
  );
}

const ingestOf = (page) =>
  page.evaluate(() => window.kaigi.participants.find((p) => / \(WHIP\)$/.test(p.name))?.id ?? null);

await runTest(
  'whip',
  async () => {
    const dir = tempDir();
    const server = await new Server({}).start();
    const quiet = await launchBrowser({ audioFile: makeSilenceWav(dir), label: 'silent chromium' });
    const encoder = await launchBrowser({ audioFile: makeToneWav(dir, 440, { seconds: 20 }), label: 'encoder chromium' });
    const meetingId = await server.testMeeting();
    const memberUrl = await server.linkFor('Member');
    const { links } = await server.api('POST', `/api/meetings/${meetingId}/links`, {});
    const venue = links.find((l) => l.kind === 'venue' && l.name === '本会場');
    const memberToken = new URL(memberUrl).hash.replace('#t=', '');
    check(venue, 'the main venue has a join link');
    const url = `${server.base}/api/meetings/${meetingId}/whip`;

    const member = await joinPage(quiet, server, 'Member', { url: memberUrl });
    const room = await joinPage(quiet, server, 'Venue page', { url: server.base + venue.url });
    await Promise.all([member, room].map((p) => waitConnected(p, 20000)));
    // The encoder's page: any page of the server's origin.
    const enc = await (await encoder.newContext()).newPage();
    await enc.goto(`${server.base}/index.html`);

    // ---- refused ----
    for (const [what, opts, want] of [
      ['no token', { token: null }, 401],
      ['a forged token', { token: venue.token.slice(0, -4) + 'AAAA' }, 401],
      ["a member's token", { token: memberToken }, 403],
      ['text/plain', { token: venue.token, type: 'text/plain' }, 415],
      ['an offer that is not SDP', { token: venue.token, body: 'hello' }, 400],
    ]) {
      const r = await publish(enc, url, opts.token, opts);
      check(r.status === want, `${what}: ${want} (got ${r.status}: ${String(r.body).slice(0, 120)})`);
    }

    // ---- VP8 + Opus ----
    const before = await pageStats(member);
    const beforeRoom = await pageStats(room);
    const t0 = Date.now();
    const r = await publish(enc, url, venue.token);
    check(r.status === 201, `the venue's offer is answered 201 (${r.status} ${String(r.body ?? '').slice(0, 200)})`);
    check(/^\/api\/meetings\/\d+\/whip\/\d+$/.test(r.location), `Location names the session (${r.location})`);
    check(/a=candidate:/.test(r.answer) && /VP8/.test(r.answer) && !/H264/.test(r.answer), 'the answer has candidates and takes VP8');
    log(`WHIP answered in ${Date.now() - t0} ms`);
    const ingest = await waitFor(() => ingestOf(member), 15000, 'the member to see the ingest join');
    await waitFor(async () => (framesFrom(await pageStats(member), ingest) ?? 0) > 20, 20000, "the member to decode the ingest's video in a slot");
    await sleep(3000);
    const after = await pageStats(member);
    const afterRoom = await pageStats(room);
    const heard = audioPower(before, after).power;
    const roomHeard = audioPower(beforeRoom, afterRoom).power;
    log(`received audio power: member ${heard.toExponential(2)}, the venue's page ${roomHeard.toExponential(2)}`);
    check(heard > 1e-3, `the member hears the room's tone (${heard})`);
    check(roomHeard < heard / 100, `the venue's page does not hear its own room (${roomHeard} vs ${heard})`);
    const roomSlots = (await pageStats(room)).slots.map((s) => s.participant);
    check(!roomSlots.includes(ingest), `the venue's page is not shown its own camera (${roomSlots.join(', ')})`);

    // ---- DELETE ----
    const status = await unpublish(enc, server.base, venue.token);
    check(status === 204, `DELETE ends the ingest (${status})`);
    await waitFor(async () => (await ingestOf(member)) === null, 10000, 'the member to see the ingest leave');

    // ---- H.264, as OBS sends ----
    const h = await publish(enc, url, venue.token, { h264: true });
    check(h.status === 201, `an H.264 offer is answered (${h.status} ${String(h.body ?? '').slice(0, 200)})`);
    check(/H264/.test(h.answer) && !/VP8/.test(h.answer), 'the answer takes H.264');
    const ingest2 = await waitFor(() => ingestOf(member), 15000, 'the member to see the H.264 ingest');
    // The slot's decoder counts on from the first ingest: count from when this one is shown.
    const base = await waitFor(async () => framesFrom(await pageStats(member), ingest2), 15000, 'the H.264 ingest in a slot');
    const f0 = Date.now();
    await waitFor(async () => (framesFrom(await pageStats(member), ingest2) ?? 0) > base + 30, 20000, "the member to decode the H.264 ingest's video (as VP8)");
    const s = (await pageStats(member)).slots.find((x) => x.participant === ingest2);
    log(`H.264 ingest: member decodes ${s.framesDecoded - base} frames at ${s.frameWidth}x${s.frameHeight} (${Date.now() - f0} ms to 30 frames)`);
    check(s.frameWidth === 640 && s.frameHeight === 360, `the transcoded picture keeps its size (${s.frameWidth}x${s.frameHeight})`);
    check((await unpublish(enc, server.base, venue.token)) === 204, 'the H.264 ingest ends');
    await waitFor(async () => (await ingestOf(member)) === null, 10000, 'the H.264 ingest to leave');

    // ---- the venue's page mic is out of the mix while its ingest runs ----
    // The venue's page again, now from a browser whose mic plays the tone (it replaces the
    // silent one); the ingest sends silence.
    const loudRoom = await joinPage(encoder, server, 'Venue page (loud)', { url: server.base + venue.url });
    await waitConnected(loudRoom, 20000);
    const power = async (what) => {
      const a = await pageStats(member);
      await sleep(3000);
      const p = audioPower(a, await pageStats(member)).power;
      log(`member's received audio power, ${what}: ${p.toExponential(2)}`);
      return p;
    };
    await sleep(1000);
    const pageAlone = await power("the venue's page alone");
    check(pageAlone > 1e-3, `the member hears the venue's page mic (${pageAlone})`);
    const silentIngest = await publish(enc, url, venue.token, { silent: true });
    check(silentIngest.status === 201, `a silent ingest is answered (${silentIngest.status})`);
    await waitFor(() => ingestOf(member), 15000, 'the member to see the silent ingest');
    await sleep(1000);
    const withIngest = await power('while the ingest runs');
    check(withIngest < pageAlone / 100, `the page's mic is out of the mix while the ingest runs (${withIngest} vs ${pageAlone})`);
    check((await unpublish(enc, server.base, venue.token)) === 204, 'the silent ingest ends');
    await waitFor(async () => (await ingestOf(member)) === null, 10000, 'the silent ingest to leave');
    await sleep(1000);
    const after2 = await power('after the ingest');
    check(after2 > pageAlone / 10, `the page's mic is back in the mix (${after2})`);
  },
  { timeoutMs: 150000 },
);
