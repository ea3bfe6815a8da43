// What the page offers mirrors the server's rules, so a host sees why a move
// is unavailable before trying; the server still decides every request.

export const MAX_BREAKOUT_ROOMS = 20;

function parts(v) {
  return String(v || '').split('.').map((n) => Number.parseInt(n, 10) || 0);
}

export function olderThan(v, min) {
  const a = parts(v);
  const b = parts(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] || 0;
    const y = b[i] || 0;
    if (x !== y) return x < y;
  }
  return false;
}

// moveBlock says why p cannot be moved, or '' when it can.
export function moveBlock(p, view) {
  if (p.kind === 'phone') return 'Phone participants stay in the Main Room.';
  if (!view.info.breakout_enabled) return 'Breakout rooms are off for this meeting.';
  const min = view.info.min_client_version;
  if (p.id !== view.meId && min && olderThan(p.client_version, min)) {
    return `${p.name}'s app is version ${p.client_version}: moving needs version ${min} or later.`;
  }
  return '';
}

export function breakoutCount(info) {
  return info.rooms.filter((r) => r.id !== 'main').length;
}

export function canAddRoom(view) {
  return view.isHost && view.info.breakout_enabled && breakoutCount(view.info) < MAX_BREAKOUT_ROOMS;
}
