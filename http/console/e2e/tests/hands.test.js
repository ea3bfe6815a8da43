// Raised hands and calls for help: a participant raises its hand from the
// console, the host sees the mark live and lowers it from the row, and
// clears a participant's request for help the same way.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as H from '../harness.js';

let gw;
let browser;
let host;
let pat;
const people = {};

const room = (page, id) => page.locator('#panel').locator(`[data-room="${id}"]`);
const row = (page, name) => room(page, 'main').locator('.person', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const visible = (loc, what) => H.until(() => loc.isVisible(), what);
const gone = (loc, what) => H.until(async () => (await loc.count()) === 0, what);

before(async () => {
  const dir = await H.tempDir();
  const bin = await H.buildConfgw(dir);
  gw = await H.startGateway({ bin, dir, trunkPort: await H.freePort() });
  browser = await H.launchBrowser();
  host = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  host.on('pageerror', (e) => { throw e; });
  await host.goto(gw.link);
  await visible(room(host, 'main'), 'the main room');
  for (const name of ['Pat', 'Sam']) {
    people[name] = await H.api(gw, 'POST', '/v1/conferences/demo/participants', gw.apiKey, { name, client_version: '5.0' });
  }
  pat = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  pat.on('pageerror', (e) => { throw e; });
  await pat.goto(`${gw.base}/?token=${people.Pat.token}`);
  await visible(room(pat, 'main'), 'the main room on Pat\'s page');
});

after(async () => {
  await H.stopAll();
});

test('a participant raises its hand and the host sees it and lowers it from the row', async () => {
  const raise = pat.getByRole('button', { name: 'Raise hand' });
  await visible(raise, 'Pat\'s Raise hand button');
  await raise.click();
  await visible(row(host, 'Pat').locator('.hand-mark'), 'the hand on Pat\'s row at the host');
  assert.equal(await row(host, 'Pat').locator('.hand-mark').getAttribute('aria-label'), 'Hand raised');
  await visible(pat.getByRole('button', { name: 'Lower hand' }), 'Pat\'s button turned to Lower hand');
  // Pat sees hands too, but only a host has a button to lower another's.
  await visible(row(pat, 'Pat').locator('.hand-mark'), 'the hand on Pat\'s own row');
  assert.equal(await row(pat, 'Pat').locator('.lower-hand').count(), 0);
  await H.shot(host, 'hands-01-raised');

  await row(host, 'Pat').getByRole('button', { name: 'Lower Pat\'s hand' }).click();
  await gone(row(host, 'Pat').locator('.hand-mark'), 'the hand gone at the host');
  await visible(pat.getByRole('button', { name: 'Raise hand' }), 'Pat\'s button back to Raise hand');
  await gone(row(pat, 'Pat').locator('.hand-mark'), 'the hand gone on Pat\'s page');
});

test('a participant lowers its own hand from its button', async () => {
  await pat.getByRole('button', { name: 'Raise hand' }).click();
  await visible(row(host, 'Pat').locator('.hand-mark'), 'the hand raised again');
  await pat.getByRole('button', { name: 'Lower hand' }).click();
  await gone(row(host, 'Pat').locator('.hand-mark'), 'the hand Pat lowered gone at the host');
});

test('a request for help shows on the row until the host clears it', async () => {
  await H.api(gw, 'POST', `/v1/conferences/demo/participants/${people.Sam.participant.id}/help`, people.Sam.token);
  const mark = row(host, 'Sam').locator('.badge.help');
  await visible(mark, 'Needs help on Sam\'s row');
  assert.equal((await mark.textContent()).trim(), 'Needs help');
  await visible(row(pat, 'Sam').locator('.badge.help'), 'Needs help on Pat\'s page too');
  assert.equal(await row(pat, 'Sam').locator('.clear-help').count(), 0);
  await H.shot(host, 'hands-02-help');
  await row(host, 'Sam').getByRole('button', { name: 'Clear Sam\'s request for help' }).click();
  await gone(mark, 'the mark gone once the host cleared it');
  await gone(row(pat, 'Sam').locator('.badge.help'), 'the mark gone on Pat\'s page');
});
