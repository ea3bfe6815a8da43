// A host bans from the console in headless Chromium: a sipp caller with
// "Hang up and ban", whose next call the gateway refuses, and an app
// participant with "Remove and ban", whose token is refused at once. The
// Banned list shows both, and its Unban button lets the number in again.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as H from '../harness.js';

let gw;
let browser;
let host;

const panel = (page) => page.locator('#panel');
const room = (page, id) => panel(page).locator(`[data-room="${id}"]`);
const row = (page, name) => room(page, 'main').locator('.person', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const bans = (page) => page.locator('#bans-box');
const visible = (loc, what) => H.until(() => loc.isVisible(), what);
const gone = (loc, what) => H.until(async () => (await loc.count()) === 0, what);

before(async () => {
  const dir = await H.tempDir();
  const bin = await H.buildConfgw(dir);
  const trunk = await H.startTrunk();
  gw = await H.startGateway({ bin, dir, trunkPort: trunk.port });
  browser = await H.launchBrowser();
  host = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  host.on('pageerror', (e) => { throw e; });
  await host.goto(gw.link);
  await visible(room(host, 'main'), 'the main room');
});

after(async () => {
  await H.stopAll();
});

test('a host sees an empty Banned list', async () => {
  await visible(bans(host), 'the Banned list');
  await H.until(async () => (await bans(host).locator('li.empty').count()) === 1, 'the empty note');
});

test('Hang up and ban ends the call and refuses the number\'s next one until Unban', async () => {
  const caller = await H.callIn(gw);
  const phone = room(host, 'main').locator('.person.kind-phone');
  await visible(phone, 'the phone participant');
  await phone.getByRole('button', { name: /^More options for/ }).click();
  await panel(host).locator('[data-menu]').getByRole('button', { name: 'Hang up and ban', exact: true }).click();
  await gone(phone, 'the banned caller to go');
  assert.equal((await caller.exited).code, 0, `sipp saw no BYE: ${caller.stderrText}`);
  const entry = bans(host).locator('li[data-ban]');
  await visible(entry, 'the ban in the list');
  const number = await entry.getAttribute('data-ban');
  assert.ok(number, 'the ban names no number');
  const listed = await H.api(gw, 'GET', '/v1/conferences/demo/bans', gw.apiKey);
  assert.equal(listed.bans.length, 1);
  assert.equal(listed.bans[0].number, number);

  // The gateway refuses the number's next call: sipp's scenario, which
  // expects a 200, fails on the 403.
  const refused = await H.callIn(gw);
  assert.notEqual((await refused.exited).code, 0, 'a banned number\'s call was answered');
  assert.equal(await room(host, 'main').locator('.person.kind-phone').count(), 0);
  await H.shot(host, 'bans-01-caller-banned');

  await entry.getByRole('button', { name: /^Unban/ }).click();
  await gone(entry, 'the lifted ban to leave the list');
  const again = await H.callIn(gw);
  await visible(phone, 'the number in again once unbanned');
  await phone.locator('button.hangup').click();
  assert.equal((await again.exited).code, 0, `sipp saw no BYE: ${again.stderrText}`);
});

test('Remove and ban takes an app participant out and its token is refused at once', async () => {
  const troll = await H.api(gw, 'POST', '/v1/conferences/demo/participants', gw.apiKey, { name: 'Troll', client_version: '5.0' });
  await visible(row(host, 'Troll'), 'Troll in the main room');
  await row(host, 'Troll').getByRole('button', { name: 'More options for Troll' }).click();
  await panel(host).locator('[data-menu]').getByRole('button', { name: 'Remove and ban', exact: true }).click();
  await gone(row(host, 'Troll'), 'Troll to go');
  await assert.rejects(H.api(gw, 'GET', '/v1/conferences/demo', troll.token), /401/);
  const entry = bans(host).locator(`li[data-ban="${troll.participant.id}"]`);
  await visible(entry, 'Troll in the Banned list');
  assert.match(await entry.textContent(), /Troll \(app\)/);
  await H.shot(host, 'bans-02-app-banned');
});
