// Two app participants join audio from the console, each in a Chromium of
// its own whose fake microphone plays a tone, and hear each other through
// the gateway until a host moves one of them to a breakout room.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deaf, hears, untilEar } from '../ear.js';
import * as H from '../harness.js';

const TONES = { Ann: 1000, Ben: 600 };

let gw;
let host;
const pages = {};
const people = {};
const logs = {};

const panel = (page) => page.locator('#panel');
const room = (page, id) => panel(page).locator(`[data-room="${id}"]`);
const row = (page, roomId, name) => room(page, roomId).locator('.person', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const mark = (page, roomId, name, label) => row(page, roomId, name).getByRole('img', { name: label });
const audioButton = (page, name) => page.locator('header').getByRole('button', { name });
const visible = (loc, what) => H.until(() => loc.isVisible(), what);
const gone = (loc, what) => H.until(async () => (await loc.count()) === 0, what);

const openPage = (browser, name, token) => H.openPage(browser, gw.base, name, token, logs);

before(async () => {
  const dir = await H.tempDir();
  const bin = await H.buildConfgw(dir);
  // Two sessions fill the gateway, so a third is refused for real.
  gw = await H.startGateway({ bin, dir, trunkPort: await H.freePort(), args: ['--webrtc-max-sessions', '2'] });
  for (const [name, freq] of Object.entries(TONES)) {
    people[name] = await H.api(gw, 'POST', '/v1/conferences/demo/participants', gw.apiKey, { name, client_version: '5.0' });
    const browser = await H.launchBrowser({ talkerWav: await H.writeTone(dir, freq) });
    pages[name] = await openPage(browser, name, people[name].token);
    // The host's page shares Ann's browser, so it has a microphone too.
    if (name === 'Ann') host = await openPage(browser, 'host', gw.hostToken);
  }
});

after(async () => {
  await H.stopAll();
  for (const [name, lines] of Object.entries(logs)) {
    if (lines.length) await writeFile(path.join(H.artifacts, `audio-${name}-console.log`), `${lines.join('\n')}\n`).catch(() => {});
  }
});

test('two app participants join audio and hear each other\'s tone', async () => {
  for (const name of Object.keys(TONES)) await audioButton(pages[name], 'Join audio').click();
  for (const name of Object.keys(TONES)) await visible(audioButton(pages[name], 'Leave audio'), `${name} in audio`);
  await untilEar(pages.Ann, TONES.Ben, hears, 'Ann to hear Ben\'s tone');
  await untilEar(pages.Ben, TONES.Ann, hears, 'Ben to hear Ann\'s tone');
  for (const name of Object.keys(TONES)) {
    assert.equal(await pages[name].evaluate(() => document.getElementById('voice-out').paused), false, `${name}'s page does not play what it receives`);
  }
  for (const page of [host, pages.Ann, pages.Ben]) {
    for (const name of Object.keys(TONES)) await visible(mark(page, 'main', name, 'Audio connected'), `${name} marked connected`);
  }
  assert.equal(await row(host, 'main', 'Demo Host').locator('.audio-mark').count(), 0, 'the host has no audio yet');
  await H.shot(pages.Ann, 'a1-audio-connected');
});

test('a join beyond the gateway\'s sessions is refused in words', async () => {
  await audioButton(host, 'Join audio').click();
  const error = host.locator('#errors .error', { hasText: 'Could not join audio' });
  await visible(error, 'the refusal');
  assert.match(await error.textContent(), /Could not join audio: The gateway holds as many app audio sessions as it is set to; try again shortly/);
  await visible(audioButton(host, 'Join audio'), 'the button back to Join audio');
  assert.equal(await row(host, 'main', 'Demo Host').locator('.audio-mark').count(), 0);
  await H.shot(host, 'a2-audio-refused');
  await error.getByRole('button', { name: 'Dismiss' }).click();
});

test('a host moves Ben to a breakout room and the two stop hearing each other', async () => {
  await panel(host).getByRole('button', { name: '+ Add Breakout Room' }).click();
  await visible(room(host, '1'), 'Breakout room 1');
  await panel(host).getByRole('button', { name: 'More options for Ben' }).click();
  await panel(host).getByRole('button', { name: 'Move to Breakout room 1' }).click();
  await visible(row(pages.Ben, '1', 'Ben'), 'Ben in room 1');
  await untilEar(pages.Ann, TONES.Ben, deaf, 'Ann to stop hearing Ben');
  await untilEar(pages.Ben, TONES.Ann, deaf, 'Ben to stop hearing Ann');
  // The move kept Ben's audio: it is heard in room 1 now.
  await visible(mark(host, '1', 'Ben', 'Audio connected'), 'Ben still connected, in room 1');
});

test('a session a host ends is told to its page, which offers Join audio again', async () => {
  const ben = (await H.api(gw, 'GET', '/v1/conferences/demo', gw.hostToken)).participants.find((p) => p.name === 'Ben');
  await H.api(gw, 'DELETE', `/v1/conferences/demo/media/${ben.audio.session}`, gw.hostToken);
  const notice = pages.Ben.locator('#errors .error', { hasText: 'Your audio ended' });
  await visible(notice, 'Ben told');
  assert.match(await notice.textContent(), /Your audio ended: A host or the gateway ended it\./);
  await visible(audioButton(pages.Ben, 'Join audio'), 'Ben offered Join audio');
  await gone(row(host, '1', 'Ben').locator('.audio-mark'), 'Ben\'s mark to go');
  assert.equal(await pages.Ben.evaluate(() => document.getElementById('voice-out').srcObject), null, 'the page still plays');
});

test('a reloaded page starts without audio and its old session ends', async () => {
  await audioButton(pages.Ben, 'Join audio').click();
  await visible(mark(host, '1', 'Ben', 'Audio connected'), 'Ben connected again');
  await pages.Ben.reload();
  await visible(audioButton(pages.Ben, 'Join audio'), 'Ben\'s reloaded page offering Join audio');
  await gone(row(host, '1', 'Ben').locator('.audio-mark'), 'the old session to end with the page');
});

test('Leave audio ends the session: the gateway answers 204 and the mark goes', async () => {
  const [res] = await Promise.all([
    pages.Ann.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/media/')),
    audioButton(pages.Ann, 'Leave audio').click(),
  ]);
  assert.equal(res.status(), 204);
  await visible(audioButton(pages.Ann, 'Join audio'), 'Ann offered Join audio');
  await gone(row(host, 'main', 'Ann').locator('.audio-mark'), 'Ann\'s mark to go on the host\'s page');
  await gone(row(pages.Ann, 'main', 'Ann').locator('.audio-mark'), 'Ann\'s mark to go on her page');
  assert.equal(await pages.Ann.locator('#errors .error').count(), 0, 'leaving was reported as an error');
});

test('signing out ends the audio and takes the button away', async () => {
  await audioButton(pages.Ben, 'Join audio').click();
  await visible(mark(host, '1', 'Ben', 'Audio connected'), 'Ben connected once more');
  await pages.Ben.getByRole('button', { name: 'Sign out' }).click();
  await visible(pages.Ben.locator('#sign-in'), 'the sign-in box');
  assert.equal(await pages.Ben.locator('#audio-toggle').isVisible(), false, 'Join audio offered to no one');
  await gone(row(host, '1', 'Ben').locator('.audio-mark'), 'Ben\'s session to end with the sign-out');
});
