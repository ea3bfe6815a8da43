// The console's events stream reader, without a browser: fetch is stood in
// for, so the reader's answers to the server's stream notices can be held to
// exactly what the server sends.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { follow } from '../../assets/events.js';

const block = (seq, type) => `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type, conference: 'c', at: new Date().toISOString() })}\n\n`;

// streamOf answers with the given text, ended or left open as a live
// stream is, until the reader aborts it.
function streamOf(text, end, signal) {
  const body = new ReadableStream({
    start(ctrl) {
      ctrl.enqueue(new TextEncoder().encode(text));
      if (end) ctrl.close();
      else signal.addEventListener('abort', () => ctrl.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

// within fails a wait that a hang, never a slow machine, would exhaust.
const within = (promise, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 30 s`)), 30000).unref()),
]);

test('a stream cut for lagging resumes at once after its last event, and a reset re-reads the meeting', async () => {
  const asked = [];
  const saw = [];
  let downs = 0;
  let resetSeen;
  const reset = new Promise((resolve) => { resetSeen = resolve; });
  const answers = [
    (signal) => streamOf(block(4, 'room.added') + block(5, 'stream.lagged'), true, signal),
    (signal) => streamOf(block(9, 'stream.reset') + block(10, 'room.added'), false, signal),
  ];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, { headers, signal }) => {
    asked.push(headers['Last-Event-ID'] || '');
    return answers[Math.min(asked.length, answers.length) - 1](signal);
  };
  try {
    const api = { base: 'http://gateway/v1/conferences/c', headers: (h) => ({ ...h }) };
    const stop = follow(api, {
      onEvent: (type, ev) => saw.push(`${type} ${ev.seq}`),
      onOpen: () => {},
      onDown: () => { downs++; },
      onFatal: (err) => assert.fail(`fatal: ${err.message}`),
      onReset: () => resetSeen(),
    });
    await within(reset, 'onReset after a stream.reset');
    stop();
    assert.deepEqual(asked, ['', '5'], 'the second stream resumes after the seq the stream.lagged names');
    assert.equal(downs, 0, 'a stream cut for lagging reconnects without reporting the stream down');
    assert.ok(saw.includes('room.added 4'));
    assert.ok(!saw.some((s) => s.startsWith('stream.')), `the notices are the reader's own, not events: ${saw}`);
  } finally {
    globalThis.fetch = realFetch;
  }
});
