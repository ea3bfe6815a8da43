// The events stream, read with fetch rather than EventSource: EventSource
// cannot send an Authorization header, and a token in the query string is
// one more place it could be logged. Reconnects resend Last-Event-ID, so the
// server replays what was missed.

import { errorOf } from './api.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// follow calls onEvent for each event until stop() or a refusal that a retry
// cannot cure (the token is no longer a member, the meeting is gone). The
// stream's own notices are handled here: after stream.lagged it reconnects
// at once, as the server has only cut it for falling behind; stream.reset
// calls onReset, for the events missed are no longer kept and only a fresh
// read of the meeting shows what they changed.
export function follow(api, { onEvent, onOpen, onDown, onFatal, onReset }) {
  let lastId = '';
  let stopped = false;
  let ctrl = null;
  let delay = 500;
  let lagged = false;

  function dispatch(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id') lastId = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let ev;
    try {
      ev = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    const kind = ev.type || type;
    if (kind === 'stream.lagged') {
      lagged = true;
      return;
    }
    if (kind === 'stream.reset') {
      if (onReset) onReset();
      return;
    }
    onEvent(kind, ev);
  }

  async function run() {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const headers = api.headers({ Accept: 'text/event-stream' });
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(`${api.base}/events`, { headers, signal: ctrl.signal, cache: 'no-store' });
        if (!res.ok) {
          const err = await errorOf(res);
          if ([401, 403, 404, 410].includes(res.status)) {
            stopped = true;
            onFatal(err);
            return;
          }
          throw err;
        }
        delay = 500;
        onOpen();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (err) {
        if (stopped) return;
        onDown(err);
      }
      if (stopped) return;
      if (lagged) {
        lagged = false;
        continue;
      }
      onDown(null);
      await sleep(delay);
      delay = Math.min(delay * 2, 10000);
    }
  }

  run();
  return () => {
    stopped = true;
    if (ctrl) ctrl.abort();
  };
}
