// Starts what the console tests drive: confgw built from this checkout,
// sipp peers (a caller and a trunk), the desk phone of phone/ and Debian's
// Chromium. Everything it
// starts is stopped by stopAll, also when a test fails or the run is cut.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const artifacts = path.join(here, 'artifacts');
const sippScenarios = path.join(repoRoot, 'testdata/sipp');

const children = new Set();
const cleanups = [];

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// until polls check until it returns a truthy value: the DOM and the server
// settle at their own pace, and a fixed sleep would be either slow or flaky.
// The default deadline is generous because a busy 2-core CI machine running
// Chromium, sipp and the gateway at once can take tens of seconds for one
// step; a passing step returns as soon as its state is there.
export const patience = Number(process.env.E2E_PATIENCE_MS) || 60000;

export async function until(check, what, timeout = patience) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(50);
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function track(child, name) {
  children.add(child);
  child.name = name;
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(t);
}

export async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'confgw-console-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// buildConfgw builds this checkout's confgw, or takes CONFGW_BIN when set
// (a binary built elsewhere, e.g. from another tree).
export async function buildConfgw(dir) {
  if (process.env.CONFGW_BIN) return process.env.CONFGW_BIN;
  const bin = path.join(dir, 'confgw');
  await promisify(execFile)('go', ['build', '-o', bin, './cmd/confgw'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  return bin;
}

// buildPhone builds the desk phone of phone/, or takes PHONE_BIN when set.
export async function buildPhone(dir) {
  if (process.env.PHONE_BIN) return process.env.PHONE_BIN;
  const bin = path.join(dir, 'phone');
  await promisify(execFile)('go', ['build', '-o', bin, './http/console/e2e/phone'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  return bin;
}

// startPhone has the desk phone call target (a SIP URI) playing tone Hz.
// It prints, every 200 ms, the share of what it heard at each frequency of
// watch; reads keeps the latest, each with when it arrived (at, ms), so a
// test can judge only those that came after something it did.
export function startPhone({ bin, target, tone, watch }) {
  const child = track(spawn(bin, ['-tone', String(tone), '-watch', watch.join(','), target], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }), 'phone');
  const phone = { child, reads: [], stderr: '' };
  child.stderr.on('data', (b) => { phone.stderr += b; });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      return;
    }
    r.at = Date.now();
    phone.reads.push(r);
    if (phone.reads.length > 100) phone.reads.shift();
  });
  return phone;
}

// startGateway runs `confgw serve` and reads what it prints for a newcomer:
// the HTTP address, the host token and the console link. args adds flags.
export async function startGateway({ bin, dir, trunkPort, args: more = [] }) {
  const httpPort = await freePort();
  const sipPort = await freePort();
  const apiKey = 'e2e-admin-key';
  const args = ['serve', '--http', `127.0.0.1:${httpPort}`, '--sip', `127.0.0.1:${sipPort}`,
    '--api-key', apiKey, '--data-dir', path.join(dir, 'data'), '--sip-trunk', `127.0.0.1:${trunkPort}`,
    '--rtp-timeout', '5m', '--ring-timeout', '20s', '--webrtc-udp', '127.0.0.1:0', ...more];
  const child = track(spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }), 'confgw');
  let out = '';
  let log = '';
  child.stdout.on('data', (b) => { out += b; });
  child.stderr.on('data', (b) => { log += b; });
  const printed = await until(() => {
    if (child.exitCode !== null) throw new Error(`confgw exited ${child.exitCode}: ${log}`);
    const link = /console:\s+(http:\/\/\S+)/.exec(out);
    const token = /host token: (\S+)/.exec(out);
    return link && token && { link: link[1], token: token[1] };
  }, 'confgw to print its console link', 20000);
  return {
    child, apiKey, sipPort, link: printed.link, hostToken: printed.token,
    base: `http://127.0.0.1:${httpPort}`, output: () => out, log: () => log,
  };
}

export async function api(gw, method, p, token, body) {
  const res = await fetch(gw.base + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function sipp(name, args, cwd) {
  const ports = ['-p', String(await freePort()), '-mp', String(await freePort()), '-cp', String(await freePort())];
  const child = track(spawn('sipp', [...args, '-i', '127.0.0.1', ...ports, '-nostdin'], {
    cwd, stdio: ['ignore', 'ignore', 'pipe'],
  }), name);
  child.stderrText = '';
  child.stderr.on('data', (b) => { child.stderrText += b; });
  return child;
}

// startTrunk is the SIP trunk dial-outs go to; it takes calls until stopped.
export async function startTrunk() {
  const port = await freePort();
  const child = track(spawn('sipp', ['-sf', path.join(here, 'sipp/trunk_rings_then_answers.xml'),
    '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freePort()), '-cp', String(await freePort()), '-nostdin'],
  { cwd: path.join(here, 'sipp'), stdio: ['ignore', 'ignore', 'pipe'] }), 'trunk');
  return { child, port };
}

// callIn places one call to sip:demo that plays a tone and waits for the
// gateway's BYE: sipp exits 0 only once the call was hung up from our side.
export function callIn(gw) {
  return sipp('caller', ['-sf', path.join(sippScenarios, 'dialin_hangup_by_api.xml'), '-s', 'demo', '-m', '1',
    '-timeout', '60s', '-timeout_error', `127.0.0.1:${gw.sipPort}`], sippScenarios);
}

// launchBrowser starts a Chromium process; talkerWav makes it one with a
// microphone, see talker below.
export async function launchBrowser({ talkerWav } = {}) {
  await mkdir(artifacts, { recursive: true });
  // Playwright gives each launch a fresh, throw-away profile directory.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...(talkerWav ? talker(talkerWav) : [])],
  });
  cleanups.push(() => browser.close());
  return browser;
}

// talker is what a browser needs to join audio with a tone for a voice:
// the fake capture device plays the WAV file (one per process, so one
// browser per talker) and getUserMedia is granted without a prompt. The
// grant also makes Chromium put real addresses in its ICE candidates rather
// than mDNS names, which the gateway does not resolve. Loopback candidates
// are allowed so that a machine with no other interface still connects to
// the gateway, which listens on 127.0.0.1. Sound plays under the default
// autoplay policy: the click on Join audio allows it, as for a person.
function talker(wav) {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`, '--allow-loopback-in-peer-connection'];
}

// writeTone writes a WAV of a steady sine at freq Hz, 48 kHz mono 16-bit
// PCM, which the fake capture device loops.
export async function writeTone(dir, freq, seconds = 2) {
  const rate = 48000;
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  // A whole number of cycles per second keeps the loop's seam click-free.
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * freq * i) / rate)), 44 + i * 2);
  const file = path.join(dir, `tone-${freq}.wav`);
  await writeFile(file, buf);
  return file;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

export async function stopAll() {
  for (const c of [...children]) await stop(c);
  for (const f of cleanups.reverse()) {
    try {
      await f();
    } catch {
      // Best effort: a browser that already died cannot be closed again.
    }
  }
  cleanups.length = 0;
}

// openPage signs a participant in from a browser context of its own and
// waits for its panel; what the page logs goes to logs[name], for a test
// that fails to show.
export async function openPage(browser, base, name, token, logs) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  logs[name] = [];
  page.on('console', (m) => logs[name].push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`${base}/?token=${token}`);
  await until(() => page.locator('#panel [data-room="main"]').isVisible(), `${name}'s page`);
  return page;
}
