// A host runs a breakout session from the console in headless Chromium,
// with a participant's browser beside it and sipp phones on the SIP side.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as H from '../harness.js';

let gw;
let browser;
let host;
let pat;
let patToast;
const people = {};

const panel = (page) => page.locator('#panel');
const room = (page, id) => panel(page).locator(`[data-room="${id}"]`);
const count = async (page, id) => (await room(page, id).locator('.count').textContent()).trim();
const row = (page, roomId, name) => room(page, roomId).locator('.person', { has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
const countsAre = (page, want) => H.until(async () => {
  for (const [id, n] of Object.entries(want)) if (await count(page, id) !== String(n)) return false;
  return true;
}, `counts ${JSON.stringify(want)}`);
const visible = (loc, what) => H.until(() => loc.isVisible(), what);
const gone = (loc, what) => H.until(async () => (await loc.count()) === 0, what);

async function addApp(name, version, role) {
  const body = { name, client_version: version, ...(role ? { role } : {}) };
  const r = await H.api(gw, 'POST', '/v1/conferences/demo/participants', gw.apiKey, body);
  people[name] = r;
  return r;
}

before(async () => {
  const dir = await H.tempDir();
  const bin = await H.buildConfgw(dir);
  const trunk = await H.startTrunk();
  gw = await H.startGateway({ bin, dir, trunkPort: trunk.port });
  browser = await H.launchBrowser();
  host = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  host.on('pageerror', (e) => { throw e; });
});

after(async () => {
  await H.stopAll();
});

test('the printed link signs the host in and leaves the address bar', async () => {
  assert.match(gw.link, /\/\?token=/);
  await host.goto(gw.link);
  await visible(room(host, 'main'), 'the main room');
  assert.equal(new URL(host.url()).search, '', 'the token stays in the address bar');
  assert.equal(await host.evaluate(() => sessionStorage.getItem('confgw.token')), gw.hostToken);
  const me = row(host, 'main', 'Demo Host');
  assert.equal((await me.locator('.you').textContent()).trim(), '(You)');
  assert.equal(await me.locator('.badge.host').count(), 1);
  assert.equal(await me.locator('.kind-app, [aria-label="App"]').count(), 1);
  await host.reload();
  await visible(room(host, 'main'), 'the main room after a reload');
  assert.ok(!gw.log().includes(gw.hostToken), 'the server logged the token');
});

test('participants joining show up live with their marks and counts', async () => {
  await addApp('Pat', '4.14.2');
  await addApp('Sam', '10.0');
  await addApp('Kim', '4.9');
  await addApp('Dr Bo', '5.0', 'host');
  await countsAre(host, { main: 5 });
  assert.equal(await row(host, 'main', 'Dr Bo').locator('.badge.host').count(), 1);
  assert.equal(await row(host, 'main', 'Demo Host').locator('.badge.moderator').count(), 1);
  await H.shot(host, '01-main-room');
});

test('+ Add Breakout Room adds empty rooms named by the server', async () => {
  const add = panel(host).getByRole('button', { name: '+ Add Breakout Room' });
  await add.click();
  await visible(room(host, '1'), 'Breakout room 1');
  await add.click();
  await visible(room(host, '2'), 'Breakout room 2');
  assert.equal((await room(host, '2').locator('.room-name').textContent()).trim(), 'Breakout room 2');
  await countsAre(host, { main: 5, 1: 0, 2: 0 });
});

test('another host\'s moves, promotions and people leaving show up live', async () => {
  const bo = people['Dr Bo'].token;
  const sam = people.Sam.participant.id;
  const kim = people.Kim.participant.id;
  const base = '/v1/conferences/demo/participants';
  await H.api(gw, 'POST', `${base}/${sam}/move`, bo, { room: '2' });
  await countsAre(host, { main: 4, 2: 1 });
  await visible(row(host, '2', 'Sam'), 'Sam in room 2, moved by Dr Bo');
  await H.api(gw, 'POST', `${base}/${sam}/move`, bo, { room: 'main' });
  await countsAre(host, { main: 5, 2: 0 });

  await H.api(gw, 'POST', `${base}/${kim}/host`, bo);
  await H.until(async () => (await row(host, 'main', 'Kim').locator('.badge.host').count()) === 1, 'Kim marked host');
  await H.api(gw, 'DELETE', `${base}/${kim}/host`, bo);
  await H.until(async () => (await row(host, 'main', 'Kim').locator('.badge.host').count()) === 0, 'Kim no longer host');

  const lee = await addApp('Lee', '5.0');
  await countsAre(host, { main: 6 });
  await H.api(gw, 'DELETE', `${base}/${lee.participant.id}`, bo);
  await countsAre(host, { main: 5 });
  await gone(row(host, 'main', 'Lee'), 'Lee gone');
});

test('dragging a name moves that participant, who is told for ten seconds', async () => {
  pat = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await pat.goto(`${gw.base}/?token=${people.Pat.token}`);
  await H.until(async () => (await pat.locator('#stage-title').textContent()) === 'You are in Main Room', 'Pat in the main room');
  assert.equal(await pat.locator('#add-room').isVisible(), false, 'a participant cannot add rooms');

  // Nothing can show the toast before the drag, so it must not go before
  // ten seconds from here, however slowly the machine runs.
  const draggedAt = Date.now();
  await row(host, 'main', 'Pat').dragTo(room(host, '1').locator('.room-head'));
  await countsAre(host, { main: 4, 1: 1 });
  await visible(row(host, '1', 'Pat'), 'Pat in room 1');

  const toast = pat.locator('.toast', { hasText: 'You have been transferred to Breakout Room #1.' });
  await visible(toast, 'the toast');
  const shownAt = Date.now();
  await H.until(async () => (await pat.locator('#stage-title').textContent()) === 'You are in Breakout room 1', 'Pat told where it is');
  await H.shot(pat, '02-participant-toast');
  // The expiry is checked while the other tests run.
  patToast = (async () => {
    await H.until(async () => (await toast.count()) === 0, 'the toast to go', shownAt + 10000 + H.patience - Date.now());
    const lasted = Date.now() - draggedAt;
    assert.ok(lasted >= 10000, `the toast went after ${lasted} ms, before its ten seconds`);
  })();
});

test('the ... menu moves by keyboard, and shows why an old client cannot move', async () => {
  const more = panel(host).getByRole('button', { name: 'More options for Sam' });
  await more.focus();
  await host.keyboard.press('Enter');
  const first = panel(host).locator('[data-menu] button').first();
  await H.until(() => first.evaluate((b) => b === document.activeElement), 'focus in the menu');
  assert.equal((await first.textContent()).trim(), 'Move to Breakout room 1');
  await host.keyboard.press('ArrowDown');
  await host.keyboard.press('Enter');
  await countsAre(host, { main: 3, 1: 1, 2: 1 });

  await panel(host).getByRole('button', { name: 'More options for Kim' }).click();
  const entry = panel(host).getByRole('button', { name: 'Move to Breakout room 1' });
  assert.equal(await entry.isDisabled(), true);
  const reason = (await panel(host).locator('[data-menu] .reason').textContent()).trim();
  assert.match(reason, /4\.9.*4\.14/);
  await H.shot(host, '03-old-client-menu');
  await host.keyboard.press('Escape');
  await gone(panel(host).locator('[data-menu]'), 'the menu to close');

  await panel(host).getByRole('button', { name: 'More options for Sam' }).click();
  await panel(host).getByRole('button', { name: 'Move to Main Room' }).click();
  await countsAre(host, { main: 4, 2: 0 });
});

test('the host joins a room, cannot delete it while inside, and drags itself back', async () => {
  await room(host, '2').getByRole('button', { name: 'Join Breakout room 2' }).click();
  await visible(row(host, '2', 'Demo Host'), 'the host in room 2');
  await visible(host.locator('.toast', { hasText: 'You have been transferred to Breakout Room #2.' }), 'the host toast');
  assert.equal(await room(host, '2').getByRole('button', { name: 'Delete Breakout room 2' }).isDisabled(), true);
  assert.equal(await room(host, '1').getByRole('button', { name: 'Delete Breakout room 1' }).isDisabled(), false);
  await H.shot(host, '04-host-in-room-2');
  await row(host, '2', 'Demo Host').dragTo(room(host, 'main').locator('.room-head'));
  await visible(row(host, 'main', 'Demo Host'), 'the host back in the main room');
});

test('the trash bin deletes a room with someone in it and sends them to the Main Room', async () => {
  await room(host, '1').getByRole('button', { name: 'Delete Breakout room 1' }).click();
  await gone(room(host, '1'), 'room 1 to go');
  await visible(row(host, 'main', 'Pat'), 'Pat back in the main room');
  await countsAre(host, { main: 5 });
  await H.until(async () => (await pat.locator('#stage-title').textContent()) === 'You are in Main Room', 'Pat told it is back');
});

test('a phone caller cannot be dragged or moved and is hung up by the red button', async () => {
  const caller = await H.callIn(gw);
  const phone = room(host, 'main').locator('.person.kind-phone');
  await visible(phone, 'the phone participant');
  // The phone mark's tooltip carries the call's quality once RTCP reported.
  assert.match(await phone.locator('.kind').getAttribute('title'), /^Phone .* — (No call quality reported yet|loss \d)/);
  assert.equal(await phone.getAttribute('draggable'), null, 'a phone row is draggable');
  const moves = [];
  host.on('request', (r) => { if (r.url().endsWith('/move')) moves.push(r.url()); });
  await phone.locator('.name').dragTo(room(host, '2').locator('.room-head'));
  // A move the page sent would show as a request here: none may be sent.
  await host.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.deepEqual(moves, [], 'the page asked to move a phone');
  assert.equal(await room(host, '2').locator('.person.kind-phone').count(), 0);
  await countsAre(host, { main: 6, 2: 0 });

  await phone.getByRole('button', { name: /^More options for/ }).click();
  const menu = panel(host).locator('[data-menu]');
  assert.equal(await menu.getByRole('button', { name: /^Move to/ }).count(), 0);
  assert.match(await menu.textContent(), /Phone participants stay in the Main Room/);
  await host.keyboard.press('Escape');
  await H.shot(host, '05-phone-in-main-room');

  await phone.locator('button.hangup').click();
  await gone(phone, 'the phone participant to go');
  const { code } = await caller.exited;
  assert.equal(code, 0, `sipp did not get the BYE: ${caller.stderrText}`);
});

test('dial-out shows the ringing call until it connects', async () => {
  await panel(host).locator('#dial-to').fill('+15550100');
  await panel(host).getByRole('button', { name: 'Call' }).click();
  const callee = room(host, 'main').locator('.person.kind-phone');
  await visible(callee.locator('.badge.ringing'), 'the ringing call');
  await H.shot(host, '06-dial-out-ringing');
  await gone(callee.locator('.badge.ringing'), 'the call to connect');
  assert.equal(await callee.count(), 1);
  await callee.locator('button.hangup').click();
  await gone(callee, 'the dial-out to be hung up');
});

test('a dial-out that fails says why, with the SIP status', async () => {
  await panel(host).locator('#dial-to').fill('+15550486');
  await panel(host).getByRole('button', { name: 'Call' }).click();
  const error = host.locator('#errors .error', { hasText: '+15550486' });
  await visible(error, 'the failed call');
  assert.match(await error.textContent(), /busy, SIP 486/);
  await gone(room(host, 'main').locator('.person.kind-phone'), 'the failed call to leave the panel');
  await H.shot(host, '06b-dial-out-busy');
  await error.getByRole('button', { name: 'Dismiss' }).click();
});

test('the Main Room is recorded and the recording downloads', async () => {
  assert.equal(await room(host, '2').getByRole('button', { name: 'Record' }).count(), 0, 'a breakout room offers recording');
  await room(host, 'main').getByRole('button', { name: 'Record' }).click();
  await visible(room(host, 'main').getByRole('button', { name: 'Stop recording' }), 'recording on');
  await visible(room(host, 'main').locator('.rec-on'), 'the recording mark');
  await room(host, 'main').getByRole('button', { name: 'Stop recording' }).click();
  const link = panel(host).locator('#recordings a.download').first();
  await visible(link, 'the download link');
  const [download] = await Promise.all([host.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /\.wav$/);
});

test('the 21st room is refused in words, and the button goes at 20', async () => {
  // Dr Bo's page misses the events that would hide its button, as a page on
  // a flaky network would, so its click reaches the server's limit.
  const bo = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await bo.route('**/events', () => {});
  await bo.goto(`${gw.base}/?token=${people['Dr Bo'].token}`);
  await visible(room(bo, '2'), 'Dr Bo sees room 2');

  const add = panel(host).getByRole('button', { name: '+ Add Breakout Room' });
  const breakouts = panel(host).locator('.room:not(.main)');
  for (let n = await breakouts.count(); n < 20; n++) {
    await add.click();
    await H.until(async () => (await breakouts.count()) === n + 1, `room ${n + 1}`);
  }
  await H.until(async () => !(await add.isVisible()), 'the add button to go at 20 rooms');
  await H.shot(host, '07-twenty-rooms');

  await panel(bo).getByRole('button', { name: '+ Add Breakout Room' }).click();
  const error = bo.locator('#errors .error');
  await visible(error, 'the refusal');
  assert.match(await error.textContent(), /Could not add a breakout room: A conference has at most 20 breakout rooms/);
  await H.until(async () => !(await panel(bo).locator('#add-room').isVisible()), 'Dr Bo\'s button to go once it knows');
  await H.shot(bo, '08-21st-room-refused');
  await bo.context().close();
});

test('breakout rooms off leaves the Main Room only, with no add button', async () => {
  await panel(host).getByLabel('Breakout rooms').uncheck();
  await gone(room(host, '2'), 'the breakout rooms to go');
  assert.equal(await panel(host).locator('#add-room').isVisible(), false);
  await countsAre(host, { main: 5 });
  await panel(host).getByLabel('Breakout rooms').check();
  await visible(panel(host).locator('#add-room'), 'the add button back');
});

test('the panel can be moved off the video, and fits a phone-sized window', async () => {
  const box = await host.locator('#panel').boundingBox();
  const tile = await host.locator('.tile').first().boundingBox();
  assert.ok(tile.x + tile.width <= box.x, 'the panel covers the video at 1280x720');
  await host.getByRole('button', { name: 'Dock the panel on the left' }).click();
  await H.until(async () => (await host.locator('#panel').boundingBox()).x < 50, 'the panel on the left');
  const head = await host.locator('#panel-head h2').boundingBox();
  await host.mouse.move(head.x + 5, head.y + 5);
  await host.mouse.down();
  await host.mouse.move(700, 300, { steps: 5 });
  await host.mouse.up();
  const moved = await host.locator('#panel').boundingBox();
  assert.ok(Math.abs(moved.y - 300) < 40, `the panel was not dragged: ${JSON.stringify(moved)}`);
  await H.shot(host, '09-panel-moved');

  await host.setViewportSize({ width: 390, height: 844 });
  const small = await host.locator('#panel').boundingBox();
  assert.ok(small.x >= 0 && small.x + small.width <= 390, 'the panel is wider than a phone');
  await H.shot(host, '10-phone-sized');
  await H.shot(pat, '11-participant-phone-sized');
});

test('a pasted token signs in; a bad one is refused in words', async () => {
  const kim = await (await browser.newContext()).newPage();
  await kim.goto(gw.base);
  await kim.getByLabel('Token').fill('not-a-token');
  await kim.getByRole('button', { name: 'Sign in' }).click();
  await H.until(async () => /not a participant token/.test(await kim.locator('#sign-in-note').textContent()), 'the refusal');
  await kim.getByLabel('Token').fill(people.Kim.token);
  await kim.getByRole('button', { name: 'Sign in' }).click();
  await H.until(async () => (await kim.locator('#stage-title').textContent()) === 'You are in Main Room', 'Kim signed in');
  assert.equal(await kim.locator('#panel .more').count(), 0, 'a participant gets host controls');
  await kim.context().close();
});

test('the participant\'s toast lived ten seconds', async () => {
  await patToast;
});

test('a host mutes and unmutes anyone from its row, phones included, and Mute all spares the hosts', async () => {
  await host.setViewportSize({ width: 1280, height: 720 });
  const caller = await H.callIn(gw);
  const phone = room(host, 'main').locator('.person.kind-phone');
  await visible(phone, 'the phone participant');
  const pid = await phone.getAttribute('data-pid');
  const state = () => H.api(gw, 'GET', `/v1/conferences/demo/participants/${pid}`, gw.apiKey);

  await phone.getByRole('button', { name: /^Mute / }).click();
  await visible(phone.locator('.badge.muted'), 'the phone marked muted');
  assert.equal((await state()).muted, true, 'the phone is not muted on the server');
  assert.ok(await phone.locator('button.hangup').isVisible(), 'the red hang-up button went');
  await phone.getByRole('button', { name: /^Unmute / }).click();
  await gone(phone.locator('.badge.muted'), 'the muted mark to go');
  assert.equal((await state()).muted, false, 'the phone is still muted on the server');

  await room(host, 'main').getByRole('button', { name: /^Mute everyone in Main Room/ }).click();
  await H.until(async () => {
    const info = await H.api(gw, 'GET', '/v1/conferences/demo', gw.apiKey);
    const here = info.participants.filter((q) => q.room === 'main');
    return here.length > 1 && here.every((q) => (q.role === 'host' ? !q.muted : q.muted));
  }, 'everyone in the Main Room but its hosts muted');
  await visible(phone.locator('.badge.muted'), 'the phone marked muted by Mute all');
  await H.shot(host, '12-muted');

  await phone.locator('button.hangup').click();
  await gone(phone, 'the phone participant to go');
  const { code } = await caller.exited;
  assert.equal(code, 0, `sipp did not get the BYE: ${caller.stderrText}`);
});
