// The recordings list. Downloads go through fetch with the host's token and
// are handed to the browser as a file, since a plain link cannot carry the
// Authorization header and the token must stay out of URLs.

import { h } from './dom.js';

function duration(ms) {
  const s = Math.round((ms || 0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function size(bytes) {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function renderRecordings(list, files, onDownload) {
  if (!files.length) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No recordings yet. Record the Main Room to make one.'));
    return;
  }
  list.replaceChildren(...files.map((f) => {
    const started = new Date(f.started);
    const running = !f.stopped;
    return h('li', { dataset: { rid: f.id } },
      h('span', { class: 'when' }, started.toLocaleString()),
      running ? h('span', { class: 'rec-on' }, 'Recording…')
        : h('span', { class: 'len' }, `${duration(f.duration_ms)} · ${size(f.bytes)}`),
      running ? null : h('a', {
        href: `#${encodeURIComponent(f.id)}`, class: 'download', download: `${f.id}.wav`,
        onclick: (e) => { e.preventDefault(); onDownload(f); },
      }, 'Download'));
  }));
}

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
