// A desk phone calls the demo conference over SIP with a 600 Hz tone and an
// app participant joins audio from the console in Chromium, whose fake
// microphone plays 1000 Hz. Each hears the other through the gateway (G.711
// on the phone's side, Opus on the browser's); Mute on the page silences the
// browser for the phone and Unmute brings it back; a host's move of the
// browser participant to a breakout room parts the two.
//
// Chromium's microphone processing turns a steady tone down by some 20 dB
// over a few seconds, so the phone's side is judged by the share of what it
// hears at each frequency, and the page's by a tone's peak against the
// spectrum's median: neither depends on the level.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deaf, hears, untilEar } from '../ear.js';
import * as H from '../harness.js';

const BROWSER_HZ = 1000;
const PHONE_HZ = 600;
const PHONE_NAME = 'Desk phone';
// A share this high is the phone hearing the browser's tone with little
// else; one this low is next to nothing (leakage between the two tones over
// 200 ms is far below it, and silence scores 0).
const HEARD = 0.5;
const NOTHING = 0.02;
// RUN is how many reads in a row (200 ms each) must agree: one read can
// straddle the change a test waits for.
const RUN = 3;

let gw;
let host;
let ann;
let phone;
const logs = {};

const panel = (page) => page.locator('#panel');
const room = (page, id) => panel(page).locator(`[data-room="${id}"]`);
const row = (page, roomId, name) => room(page, roomId).locator('.person', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const header = (page) => page.locator('header');
const button = (page, name) => header(page).getByRole('button', { name, exact: true });
const meter = (page) => header(page).getByRole('meter', { name: /^Microphone level/ });
const visible = (loc, what) => H.until(() => loc.isVisible(), what);
const speaks = async (page, name) => /\bspeaking\b/.test(await row(page, 'main', name).getAttribute('class'));
const level = async (page) => Number(await meter(page).getAttribute('aria-valuenow'));

const share = (r, f) => (r.hears && r.hears[String(f)]) || 0;
const show = (rs) => JSON.stringify(rs.map((r) => ({ t: r.t, rms: r.rms, hears: r.hears })));

// untilPhone waits for RUN reads in a row, all printed after since, of
// which ok holds; it returns them. A failure shows the last reads.
async function untilPhone(ok, what, since) {
  try {
    return await H.until(() => {
      if (phone.child.exitCode !== null) throw new Error(`the phone exited ${phone.child.exitCode}: ${phone.stderr}`);
      const rs = phone.reads.filter((r) => r.at > since).slice(-RUN);
      return rs.length === RUN && rs.every(ok) && rs;
    }, what);
  } catch (err) {
    throw new Error(`${err.message}; the phone's last reads: ${show(phone.reads.slice(-5))}`);
  }
}

const openPage = (browser, name, token) => H.openPage(browser, gw.base, name, token, logs);

before(async () => {
  const dir = await H.tempDir();
  const bin = await H.buildConfgw(dir);
  const phoneBin = await H.buildPhone(dir);
  gw = await H.startGateway({ bin, dir, trunkPort: await H.freePort() });
  const who = await H.api(gw, 'POST', '/v1/conferences/demo/participants', gw.apiKey, { name: 'Ann', client_version: '5.0' });
  const browser = await H.launchBrowser({ talkerWav: await H.writeTone(dir, BROWSER_HZ) });
  ann = await openPage(browser, 'Ann', who.token);
  // The host's page shares Ann's browser, and so her microphone, but it
  // never joins audio.
  host = await openPage(browser, 'host', gw.hostToken);
  phone = H.startPhone({ bin: phoneBin, target: `sip:demo@127.0.0.1:${gw.sipPort}`, tone: PHONE_HZ, watch: [BROWSER_HZ, PHONE_HZ] });
});

after(async () => {
  await H.stopAll();
  for (const [name, lines] of Object.entries(logs)) {
    if (lines.length) await writeFile(path.join(H.artifacts, `phone-${name}-console.log`), `${lines.join('\n')}\n`).catch(() => {});
  }
});

test('a phone and a browser in the main room hear each other\'s tone', async (t) => {
  await visible(row(host, 'main', PHONE_NAME), 'the phone in the main room');
  assert.equal(await button(ann, 'Mute').isVisible(), false, 'Mute offered before audio is on');
  const joined = Date.now();
  await button(ann, 'Join audio').click();
  await visible(button(ann, 'Leave audio'), 'Ann in audio');
  await visible(button(ann, 'Mute'), 'Mute offered');
  assert.equal(await button(ann, 'Mute').getAttribute('aria-pressed'), 'false');
  const rs = await untilPhone((r) => share(r, BROWSER_HZ) > HEARD && share(r, PHONE_HZ) < NOTHING,
    'the phone to hear the browser\'s tone (and not its own)', joined);
  t.diagnostic(`the phone hears: ${show(rs)}`);
  await untilEar(ann, PHONE_HZ, hears, 'the page to hear the phone\'s tone');
  await H.until(async () => (await level(ann)) > 10, 'the level meter to show the microphone');
  t.diagnostic(`the meter shows ${await meter(ann).getAttribute('aria-label')}`);
  // Both are heard, so both rows light up as speaking on the host's page.
  await H.until(async () => speaks(host, 'Ann'), 'Ann\'s row to show her speaking');
  await H.until(async () => speaks(host, PHONE_NAME), 'the phone\'s row to show it speaking');
  await H.shot(ann, 'p1-phone-and-browser');
});

test('Mute silences the browser for the phone, and Unmute brings it back', async (t) => {
  const muted = Date.now();
  await button(ann, 'Mute').click();
  await visible(button(ann, 'Unmute'), 'the button to say Unmute');
  assert.equal(await button(ann, 'Unmute').getAttribute('aria-pressed'), 'true');
  let rs = await untilPhone((r) => share(r, BROWSER_HZ) < NOTHING, 'the phone to stop hearing the muted browser', muted);
  t.diagnostic(`muted, the phone hears: ${show(rs)}`);
  await H.until(async () => (await level(ann)) === 0, 'the level meter to empty while muted');
  await H.until(async () => !(await speaks(host, 'Ann')), 'Ann\'s row to stop showing her speaking');
  await H.shot(ann, 'p2-muted');
  // Muting is one way: the page still hears the phone.
  await untilEar(ann, PHONE_HZ, hears, 'the muted page to go on hearing the phone');

  const unmuted = Date.now();
  await button(ann, 'Unmute').click();
  await visible(button(ann, 'Mute'), 'the button to say Mute again');
  assert.equal(await button(ann, 'Mute').getAttribute('aria-pressed'), 'false');
  rs = await untilPhone((r) => share(r, BROWSER_HZ) > HEARD, 'the phone to hear the unmuted browser again', unmuted);
  t.diagnostic(`unmuted, the phone hears: ${show(rs)}`);
  await H.until(async () => (await level(ann)) > 10, 'the level meter to fill again');
  t.diagnostic(`unmuted, the meter shows ${await meter(ann).getAttribute('aria-label')}`);
});

test('a host moves the browser participant to a breakout room and the two stop hearing each other', async (t) => {
  await panel(host).getByRole('button', { name: '+ Add Breakout Room' }).click();
  await visible(room(host, '1'), 'Breakout room 1');
  await panel(host).getByRole('button', { name: 'More options for Ann' }).click();
  const moved = Date.now();
  await panel(host).getByRole('button', { name: 'Move to Breakout room 1' }).click();
  await visible(row(ann, '1', 'Ann'), 'Ann in room 1');
  const rs = await untilPhone((r) => share(r, BROWSER_HZ) < NOTHING, 'the phone to stop hearing the browser', moved);
  t.diagnostic(`Ann moved, the phone hears: ${show(rs)}`);
  await untilEar(ann, PHONE_HZ, deaf, 'the page to stop hearing the phone');
  // The phone stays in the main room, and the browser's audio goes on.
  await visible(row(host, 'main', PHONE_NAME), 'the phone still in the main room');
  await visible(button(ann, 'Mute'), 'Ann still in audio');
  await H.until(async () => (await level(ann)) > 10, 'the level meter still showing the microphone');
});
