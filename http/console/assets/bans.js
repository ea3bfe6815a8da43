// The bans list hosts see: who was turned away, by whom and why, with a
// button to let a number in again. An app participant's ban is listed
// too, so that hosts see who was sent off; lifting it brings no one back.

import { h } from './dom.js';

export function renderBans(list, bans, names, onLift) {
  if (!bans || !bans.length) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No one is banned.'));
    return;
  }
  list.replaceChildren(...bans.map((b) => {
    const key = b.number || b.participant;
    const who = b.number ? `${b.number}${b.name && b.name !== b.number ? ` (${b.name})` : ''}` : `${b.name || b.participant} (app)`;
    const by = b.banned_by === 'admin' ? 'the admin' : (names.get(b.banned_by) || 'a host');
    return h('li', { dataset: { ban: key } },
      h('span', { class: 'banned' }, who),
      h('span', { class: 'why' }, `by ${by}${b.reason ? `: ${b.reason}` : ''}`),
      h('button', {
        type: 'button', class: 'unban', 'aria-label': `Unban ${who}`, dataset: { key: `unban:${key}` },
        onclick: () => onLift(b),
      }, 'Unban'));
  }));
}
