// The participants panel: Main Room first, then the breakout rooms, each
// with its count and its people. It is drawn afresh from the conference
// snapshot each time, so it can never drift from the server's state.

import { h, icon } from './dom.js';
import { makeDraggable, makeDropTarget } from './drag.js';
import { moveBlock } from './rules.js';

// raisedFor says how long ago a hand went up, for its mark's tooltip.
function raisedFor(p) {
  const at = Date.parse(p.hand_raised_at || '');
  if (!Number.isFinite(at)) return 'Hand raised';
  const mins = Math.max(0, Math.floor((Date.now() - at) / 60000));
  return mins < 1 ? 'Hand raised just now' : `Hand raised ${mins} min ago`;
}

function badges(p, view) {
  return [
    p.hand ? h('span', { class: 'hand-mark', role: 'img', 'aria-label': 'Hand raised', title: raisedFor(p) }, icon('hand')) : null,
    p.help ? h('span', { class: 'badge help', title: `${p.name} asked for a host` }, 'Needs help') : null,
    p.id === view.meId ? h('span', { class: 'you' }, '(You)') : null,
    p.role === 'host' ? h('span', { class: 'badge host', title: 'Host' }, 'Host') : null,
    p.moderator ? h('span', { class: 'badge moderator', title: 'Moderator' }, 'Moderator') : null,
    p.muted ? h('span', {
      class: `badge muted${p.locked ? ' locked' : ''}`,
      title: p.locked ? 'Muted by a host, who locked it' : (p.muted_by === p.id ? 'Muted themselves' : 'Muted'),
    }, p.locked ? 'Muted (locked)' : 'Muted') : null,
    p.phone && p.phone.state === 'ringing' ? h('span', { class: 'badge ringing' }, 'Ringing…') : null,
    p.phone && p.phone.quality && p.phone.quality.poor
      ? h('span', { class: 'badge poor', title: qualityText(p.phone.quality) }, 'Poor line') : null,
  ];
}

// qualityText is a phone call's figures from its RTCP, as of the last
// snapshot, for the phone mark's tooltip.
export function qualityText(q) {
  if (!q) return 'No call quality reported yet';
  const parts = [`loss ${q.loss_pct}%`];
  if (q.remote_loss_pct !== null) parts.push(`theirs ${q.remote_loss_pct}%`);
  parts.push(`jitter ${q.jitter_ms} ms`);
  if (q.rtt_ms !== null) parts.push(`RTT ${Math.round(q.rtt_ms)} ms`);
  parts.push(`MOS ${q.mos.toFixed(1)}`, `${q.packets_in} packets in, ${q.packets_lost} lost`);
  return parts.join(', ');
}

// audioMark shows an app participant's WebRTC audio: connecting until ICE
// and DTLS complete, and only then heard in its room.
function audioMark(p) {
  if (!p.audio) return null;
  const on = p.audio.state === 'connected';
  const label = on ? 'Audio connected' : 'Audio connecting';
  return h('span', {
    class: `audio-mark ${on ? 'on' : 'connecting'}`, role: 'img', 'aria-label': label,
    title: p.audio.codec ? `${label} (${p.audio.codec})` : label,
  }, icon('speaker'));
}

function kindMark(p) {
  let label = p.kind === 'phone' ? `Phone${p.phone && p.phone.number ? ` ${p.phone.number}` : ''}` : `App ${p.client_version || ''}`.trim();
  if (p.kind === 'phone' && p.phone && p.phone.state === 'connected') label += ` — ${qualityText(p.phone.quality)}`;
  return h('span', { class: `kind kind-${p.kind}`, title: label, role: 'img', 'aria-label': p.kind === 'phone' ? 'Phone' : 'App' }, icon(p.kind === 'phone' ? 'phone' : 'app'));
}

function menuEntries(p, view, act) {
  const close = () => act.closeMenu();
  const entry = (label, fn, disabled) => h('button', {
    type: 'button', class: 'entry', disabled, dataset: { key: `m:${p.id}:${label}` },
    onclick: () => { close(); fn(); },
  }, label);
  if (p.kind === 'phone') {
    return [
      h('p', { class: 'reason' }, 'Phone participants stay in the Main Room.'),
      entry(p.phone && p.phone.state === 'ringing' ? 'Cancel call' : 'Hang up', () => act.hangUp(p)),
      // A caller without a number has nothing a ban could match.
      p.phone && p.phone.number ? entry('Hang up and ban', () => act.hangUpAndBan(p)) : null,
    ];
  }
  const out = [];
  const block = moveBlock(p, view);
  const self = p.id === view.meId;
  const targets = view.info.breakout_enabled ? view.info.rooms.filter((r) => r.id !== p.room) : [];
  for (const r of targets) {
    out.push(entry(`Move to ${r.name}`, () => (self ? act.join(r.id) : act.move(p, r.id)), Boolean(block)));
  }
  if (block && targets.length) out.push(h('p', { class: 'reason' }, block));
  if (!self) {
    out.push(p.role === 'host'
      ? entry('Remove host role', () => act.setHost(p, false))
      : entry('Make host', () => act.setHost(p, true)));
    out.push(entry('Remove from meeting', () => act.remove(p)));
    out.push(entry('Remove and ban', () => act.removeAndBan(p)));
  }
  return out;
}

function person(p, view, act) {
  const row = h('li', { class: `person kind-${p.kind}${p.speaking ? ' speaking' : ''}`, dataset: { pid: p.id, key: `p:${p.id}` } },
    kindMark(p),
    h('span', { class: 'name' }, p.name),
    audioMark(p),
    badges(p, view));
  if (!view.isHost) return row;

  if (!moveBlock(p, view)) makeDraggable(row, p, act.dragEnded);
  else if (p.kind === 'phone') row.title = 'Phone participants stay in the Main Room.';

  const tools = h('span', { class: 'tools' });
  // A host answers a hand or a call for help from the row itself: these
  // wait on the host, so they must not hide in the menu.
  if (p.hand) {
    tools.append(h('button', {
      type: 'button', class: 'lower-hand', title: `Lower ${p.name}'s hand`, 'aria-label': `Lower ${p.name}'s hand`,
      dataset: { key: `hand:${p.id}` }, onclick: () => act.setHand(p, false),
    }, 'Lower hand'));
  }
  if (p.help) {
    tools.append(h('button', {
      type: 'button', class: 'clear-help', title: `Clear ${p.name}'s request for help`, 'aria-label': `Clear ${p.name}'s request for help`,
      dataset: { key: `help:${p.id}` }, onclick: () => act.setHelp(p, false),
    }, 'Helped'));
  }
  const mutedNow = Boolean(p.muted);
  tools.append(h('button', {
    type: 'button', class: `mute${mutedNow ? ' on' : ''}`, 'aria-pressed': mutedNow ? 'true' : 'false',
    title: `${mutedNow ? 'Unmute' : 'Mute'} ${p.name}`, 'aria-label': `${mutedNow ? 'Unmute' : 'Mute'} ${p.name}`,
    dataset: { key: `mute:${p.id}` }, onclick: () => act.mute(p, !mutedNow),
  }, mutedNow ? 'Unmute' : 'Mute'));
  if (p.kind === 'phone') {
    tools.append(h('button', {
      type: 'button', class: 'hangup', title: `Hang up ${p.name}`, 'aria-label': `Hang up ${p.name}`,
      dataset: { key: `hang:${p.id}` }, onclick: () => act.hangUp(p),
    }, icon('hangup')));
  }
  const open = view.openMenu === p.id;
  tools.append(h('button', {
    type: 'button', class: 'more', 'aria-label': `More options for ${p.name}`, 'aria-haspopup': 'true',
    'aria-expanded': open ? 'true' : 'false', dataset: { key: `more:${p.id}` },
    onclick: () => act.toggleMenu(p.id),
  }, icon('more')));
  row.append(tools);
  if (open) {
    row.append(h('div', { class: 'menu', role: 'group', 'aria-label': `Options for ${p.name}`, dataset: { menu: p.id } },
      menuEntries(p, view, act)));
  }
  return row;
}

function roomHead(r, view, act) {
  const main = r.id === 'main';
  const here = view.me && view.me.room === r.id;
  const head = h('div', { class: 'room-head' },
    h('h3', { id: `room-${r.id}` },
      h('span', { class: 'room-name' }, r.name), ' ',
      h('span', { class: 'count', title: `${r.count} in ${r.name}` }, String(r.count))),
    main && view.info.recording ? h('span', { class: 'rec-on' }, 'Recording') : null);
  if (!view.isHost) {
    if (here) head.append(h('span', { class: 'here' }, 'You are here'));
    return head;
  }
  const tools = h('span', { class: 'tools' });
  if (main) {
    const on = Boolean(view.info.recording);
    tools.append(h('button', {
      type: 'button', class: `record${on ? ' on' : ''}`, 'aria-pressed': on ? 'true' : 'false',
      dataset: { key: 'record' }, onclick: () => act.record(!on),
    }, on ? 'Stop recording' : 'Record'));
  }
  if (r.participants.some((p) => p.role !== 'host' && !p.muted)) {
    tools.append(h('button', {
      type: 'button', class: 'mute-all', 'aria-label': `Mute everyone in ${r.name} but its hosts`,
      dataset: { key: `muteall:${r.id}` }, onclick: () => act.muteRoom(r),
    }, 'Mute all'));
  }
  if (here) {
    tools.append(h('span', { class: 'here' }, 'You are here'));
  } else if (main || view.info.breakout_enabled) {
    tools.append(h('button', {
      type: 'button', class: 'join', 'aria-label': `Join ${r.name}`, dataset: { key: `join:${r.id}` },
      onclick: () => act.join(r.id),
    }, 'Join Room'));
  }
  if (!main) {
    const why = here ? `You are in ${r.name}: join another room before deleting it.` : `Delete ${r.name}`;
    tools.append(h('button', {
      type: 'button', class: 'trash', disabled: here, title: why, 'aria-label': `Delete ${r.name}`,
      dataset: { key: `del:${r.id}` }, onclick: () => act.deleteRoom(r),
    }, icon('trash')));
  }
  head.append(tools);
  return head;
}

export function renderRooms(box, view, act) {
  const rooms = view.info.breakout_enabled ? view.info.rooms : view.info.rooms.filter((r) => r.id === 'main');
  const sections = rooms.map((r) => {
    const section = h('section', {
      class: `room${r.id === 'main' ? ' main' : ''}`, dataset: { room: r.id }, 'aria-labelledby': `room-${r.id}`,
    }, roomHead(r, view, act),
    r.participants.length
      ? h('ul', { class: 'people' }, r.participants.map((p) => person(p, view, act)))
      : h('p', { class: 'empty' }, 'No one here yet'));
    if (view.isHost) makeDropTarget(section, r.id, act.drop);
    return section;
  });
  box.replaceChildren(...sections);
}

// renderStage draws the tiles of the room the signed-in person is in: the
// video area the panel must not hide.
export function renderStage(title, tiles, view, act) {
  const room = view.me && view.info.rooms.find((r) => r.id === view.me.room);
  title.textContent = room ? `You are in ${room.name}` : 'You are not in a room';
  const people = room ? room.participants : [];
  tiles.replaceChildren(...people.map((p) => h('div', { class: `tile kind-${p.kind}${p.speaking ? ' speaking' : ''}`, dataset: { pid: p.id } },
    h('span', { class: 'initials', 'aria-hidden': 'true' }, initials(p.name)),
    h('span', { class: 'tile-name' }, p.name, p.id === view.meId ? ' (You)' : ''),
    view.isHost && p.kind === 'phone'
      ? h('button', { type: 'button', class: 'hangup', title: `Hang up ${p.name}`, 'aria-label': `Hang up ${p.name}`, onclick: () => act.hangUp(p) }, icon('hangup'))
      : null)));
}

function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  return (words.slice(0, 2).map((w) => Array.from(w)[0]).join('') || '?').toUpperCase();
}
