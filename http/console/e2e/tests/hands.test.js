// Raised hands and calls for help: a participant raises its hand or asks
// for help from the console, the host sees the mark live and lowers the
// hand or clears the request from the row.

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

test('a participant asks for help from its button, and once the host clicks Helped the button offers to ask again', async () => {
  const ask = pat.getByRole('button', { name: 'Ask for help' });
  await visible(ask, 'Pat\'s Ask for help button');
  assert.equal(await ask.getAttribute('aria-pressed'), 'false');
  await ask.click();
  const mark = row(host, 'Pat').locator('.badge.help');
  await visible(mark, 'Needs help on Pat\'s row at the host');
  assert.equal((await mark.textContent()).trim(), 'Needs help');
  const cancel = pat.getByRole('button', { name: 'Cancel help request' });
  await visible(cancel, 'Pat\'s button turned to Cancel help request');
  assert.equal(await cancel.getAttribute('aria-pressed'), 'true');
  await H.shot(pat, 'hands-03-help-asked');

  const helped = row(host, 'Pat').getByRole('button', { name: 'Clear Pat\'s request for help' });
  assert.equal((await helped.textContent()).trim(), 'Helped');
  await helped.click();
  await gone(mark, 'Needs help gone at the host');
  await visible(ask, 'Pat\'s button back to Ask for help');
  assert.equal(await ask.getAttribute('aria-pressed'), 'false');
  await gone(row(pat, 'Pat').locator('.badge.help'), 'Needs help gone on Pat\'s own row');
});

test('a participant takes back its own request for help', async () => {
  await pat.getByRole('button', { name: 'Ask for help' }).click();
  await visible(row(host, 'Pat').locator('.badge.help'), 'Pat\'s request at the host');
  await pat.getByRole('button', { name: 'Cancel help request' }).click();
  await gone(row(host, 'Pat').locator('.badge.help'), 'the request Pat took back gone at the host');
  await visible(pat.getByRole('button', { name: 'Ask for help' }), 'Pat\'s button back to Ask for help');
});

test('the help button follows the event while a read is out, and that read\'s older answer does not bring the request back', async () => {
  // Pat's reads of the meeting are fetched from the gateway at once but
  // answered to the page only later, so each answer predates what the
  // test does meanwhile.
  const isRead = (url) => url.pathname === '/v1/conferences/demo';
  const held = [];
  let holding = true;
  await pat.route(isRead, (route) => {
    if (!holding || route.request().method() !== 'GET') return route.continue();
    const answer = route.fetch();
    held.push({ route, answer, info: answer.then((r) => r.json()) });
    return undefined;
  });
  try {
    await pat.getByRole('button', { name: 'Ask for help' }).click();
    await visible(pat.getByRole('button', { name: 'Cancel help request' }), 'Pat\'s button turned to Cancel help request');
    // Sam's hand makes Pat's page read the meeting, with Pat's request in it.
    await H.api(gw, 'POST', `/v1/conferences/demo/participants/${people.Sam.participant.id}/hand`, people.Sam.token);
    await H.until(async () => {
      for (const h of held) {
        const info = await h.info;
        const who = (name) => info.participants.find((p) => p.name === name);
        if (who('Sam').hand && who('Pat').help) return true;
      }
      return false;
    }, 'a held read of Pat\'s with Sam\'s hand and Pat\'s request');

    await row(host, 'Pat').getByRole('button', { name: 'Clear Pat\'s request for help' }).click();
    await visible(pat.getByRole('button', { name: 'Ask for help' }), 'Pat\'s button back to Ask for help with its read still held');

    holding = false;
    for (const h of held) await h.route.fulfill({ response: await h.answer });
    await visible(row(pat, 'Sam').locator('.hand-mark'), 'Sam\'s hand on Pat\'s page, from the older answer');
    assert.equal(await pat.locator('#help-toggle').textContent(), 'Ask for help');
    assert.equal(await row(pat, 'Pat').locator('.badge.help').count(), 0);
  } finally {
    holding = false;
    await pat.unroute(isRead);
  }
  await H.api(gw, 'DELETE', `/v1/conferences/demo/participants/${people.Sam.participant.id}/hand`, people.Sam.token);
  await gone(row(pat, 'Sam').locator('.hand-mark'), 'Sam\'s hand lowered');
});

test('a page no one is signed in to, or given the admin key, has no hand or help button', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  page.on('pageerror', (e) => { throw e; });
  try {
    await page.goto(gw.base);
    await visible(page.getByLabel('Token'), 'the sign-in form');
    assert.ok(await page.locator('#hand-toggle').isHidden(), 'a hand button while signed out');
    assert.ok(await page.locator('#help-toggle').isHidden(), 'a help button while signed out');
    await page.getByLabel('Token').fill(gw.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await H.until(async () => /admin key signs no one in/.test(await page.locator('#sign-in-note').textContent()), 'the admin key refused');
    assert.ok(await page.locator('#hand-toggle').isHidden(), 'a hand button for the admin key');
    assert.ok(await page.locator('#help-toggle').isHidden(), 'a help button for the admin key');
  } finally {
    await page.context().close();
  }
});
