// The console's wiring: sign in with a token, draw the meeting from the
// API's snapshot, and redraw whenever the events stream says something
// changed. Nothing is polled.

import { Api } from './api.js';
import { dragging } from './drag.js';
import { follow } from './events.js';
import { makeMovable } from './float.js';
import { startMeter } from './meter.js';
import { callFailed, showError, showToast } from './notices.js';
import { renderRooms, renderStage } from './panel.js';
import { renderRecordings, saveBlob } from './recordings.js';
import { renderBans } from './bans.js';
import { canAddRoom } from './rules.js';
import { forgetToken, keepToken, takeToken, whoIs } from './session.js';
import { Voice, audioEndedWhy } from './voice.js';

const $ = (id) => document.getElementById(id);
const el = {
  title: $('title'), who: $('who'), live: $('live'), signOut: $('sign-out'), audioToggle: $('audio-toggle'),
  signIn: $('sign-in'), signInForm: $('sign-in-form'), tokenInput: $('token-input'), signInNote: $('sign-in-note'),
  meeting: $('meeting'), stageTitle: $('stage-title'), tiles: $('tiles'),
  panel: $('panel'), panelHead: $('panel-head'), dock: $('dock'),
  breakoutSwitch: $('breakout-switch'), breakoutToggle: $('breakout-toggle'), breakoutOff: $('breakout-off'),
  rooms: $('rooms'), addRoom: $('add-room'), dialForm: $('dial-form'), dialTo: $('dial-to'),
  recBox: $('recordings-box'), recList: $('recordings'), banBox: $('bans-box'), banList: $('bans'), toasts: $('toasts'), errors: $('errors'),
  voiceOut: $('voice-out'), mic: $('mic'), micLevel: $('mic-level'), muteToggle: $('mute-toggle'),
  handToggle: $('hand-toggle'), helpToggle: $('help-toggle'),
};

let api = null;
let view = null;
let voice = null;
let stopMeter = null;
let stopEvents = null;
let refreshTimer = 0;
let refreshSeq = 0;
// reading says the newest read of the meeting is still unanswered, and
// patches holds the changes events made in place since it went out: its
// answer may have been made before them, so they are laid on it again
// rather than undone by it.
let reading = false;
let patches = [];
let pendingRender = false;
let wasHost = false;

function setLive(text, state) {
  el.live.textContent = text;
  el.live.dataset.state = state;
}

const audioLabels = { off: 'Join audio', joining: 'Joining audio…', on: 'Leave audio', leaving: 'Leaving audio…' };

// Audio is an app participant's own: phones bring theirs over SIP, and the
// admin key signs no one in.
function renderAudioButton() {
  const b = el.audioToggle;
  const phase = voice ? voice.phase : 'off';
  b.hidden = !(view && view.me && view.me.kind === 'app');
  b.textContent = audioLabels[phase];
  b.dataset.phase = phase;
  b.disabled = phase === 'joining' || phase === 'leaving';
  renderMic(phase === 'on' && !b.hidden);
}

// renderMic shows Mute and the level meter while audio is on; the meter
// runs only then, so no microphone is read once the session is gone.
function renderMic(on) {
  const muted = Boolean(on && voice.muted);
  el.mic.hidden = !on;
  el.muteToggle.textContent = muted ? 'Unmute' : 'Mute';
  el.muteToggle.setAttribute('aria-pressed', String(muted));
  if (on && !stopMeter) {
    try {
      stopMeter = startMeter(voice.mic, el.micLevel);
    } catch {
      // A browser without Web Audio still talks; it only has no meter.
      el.micLevel.hidden = true;
    }
  } else if (!on && stopMeter) {
    stopMeter();
    stopMeter = null;
  }
}

// renderOwnToggle draws one of the signed-in participant's own toggles,
// labelled for what a press would do; the admin key is no one, so it has
// none.
function renderOwnToggle(b, flag, onLabel, offLabel) {
  const me = view && view.me;
  b.hidden = !me;
  const on = Boolean(me && me[flag]);
  b.textContent = on ? onLabel : offLabel;
  b.setAttribute('aria-pressed', String(on));
}

// renderHandButton lets the signed-in participant raise or lower its own
// hand.
function renderHandButton() {
  renderOwnToggle(el.handToggle, 'hand', 'Lower hand', 'Raise hand');
}

// renderHelpButton lets the signed-in participant ask for a host, or take
// back a request no host has answered; once a host has helped and cleared
// it, the button offers to ask again.
function renderHelpButton() {
  renderOwnToggle(el.helpToggle, 'help', 'Cancel help request', 'Ask for help');
}

function render() {
  if (!view) return;
  if (dragging()) {
    pendingRender = true;
    return;
  }
  pendingRender = false;
  const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : '';
  const { info } = view;
  view.me = info.participants.find((p) => p.id === view.meId) || null;
  view.isHost = Boolean(view.me && view.me.role === 'host');
  if (view.openMenu && !info.participants.some((p) => p.id === view.openMenu)) view.openMenu = null;

  el.title.textContent = info.title || info.id;
  document.title = `${info.title || info.id} · confgw`;
  el.who.textContent = view.me ? `${view.me.name}${view.isHost ? ' (host)' : ''}` : '';
  el.breakoutSwitch.hidden = !view.isHost;
  el.breakoutToggle.checked = info.breakout_enabled;
  el.breakoutOff.hidden = info.breakout_enabled;
  el.addRoom.hidden = !canAddRoom(view);
  el.dialForm.hidden = !view.isHost;
  el.recBox.hidden = !view.isHost;
  el.banBox.hidden = !view.isHost;
  renderAudioButton();
  renderHandButton();
  renderHelpButton();
  renderRooms(el.rooms, view, actions);
  renderStage(el.stageTitle, el.tiles, view, actions);

  if (focusKey) {
    const again = document.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again && !again.disabled) again.focus();
  }
  if (view.isHost && !wasHost) {
    loadRecordings();
    loadBans();
  }
  wasHost = view.isHost;
}

async function refresh() {
  if (!api) return;
  const seq = ++refreshSeq;
  const from = patches.length;
  reading = true;
  try {
    const info = await api.conference();
    // A slower, older answer must not overwrite a newer one.
    if (seq !== refreshSeq || !view) return;
    for (const change of patches.slice(from)) change(info);
    view.info = info;
    render();
  } catch (err) {
    if (err.status === 401 || err.status === 404 || err.status === 410) leave(`You are no longer in this meeting: ${err.message}`);
    else showError(el.errors, 'Could not load the meeting', err);
  } finally {
    // Only the newest read's answer is kept, so once it is in (or failed)
    // no answer is left that could predate a patch.
    if (seq === refreshSeq) {
      reading = false;
      patches = [];
    }
  }
}

// patch makes a change an event describes in the meeting as drawn, and
// redraws, rather than read the whole meeting again for one flag.
function patch(change) {
  if (!view) return;
  change(view.info);
  if (reading) patches.push(change);
  render();
}

// sameParticipant calls fn on each copy of participant id in a snapshot:
// the meeting's list and its room's list each carry one.
function sameParticipant(info, id, fn) {
  for (const q of info.participants) if (q.id === id) fn(q);
  for (const r of info.rooms) for (const q of r.participants) if (q.id === id) fn(q);
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 30);
}

async function loadRecordings() {
  if (!view || !view.isHost) return;
  try {
    const { recordings } = await api.recordings();
    renderRecordings(el.recList, recordings, download);
  } catch (err) {
    showError(el.errors, 'Could not list the recordings', err);
  }
}

async function loadBans() {
  if (!view || !view.isHost) return;
  try {
    const { bans } = await api.bans();
    const names = new Map(view.info.participants.map((p) => [p.id, p.name]));
    renderBans(el.banList, bans, names, (b) => attempt(`Could not unban ${b.number || b.name}`, () => api.liftBan(b.number || b.participant)));
  } catch (err) {
    showError(el.errors, 'Could not list the bans', err);
  }
}

async function download(f) {
  try {
    saveBlob(await api.download(f.id), `${f.id}.wav`);
  } catch (err) {
    showError(el.errors, 'Could not download the recording', err);
  }
}

async function attempt(what, fn) {
  try {
    await fn();
  } catch (err) {
    showError(el.errors, what, err);
  }
  scheduleRefresh();
}

function focusMenu(pid, which) {
  const menu = document.querySelector(`[data-menu="${CSS.escape(pid)}"]`);
  const first = menu && menu.querySelector('button:not([disabled])');
  if (which === 'menu' && first) first.focus();
  if (which === 'button') {
    const more = document.querySelector(`[data-key="${CSS.escape(`more:${pid}`)}"]`);
    if (more) more.focus();
  }
}

const actions = {
  move: (p, room) => attempt(`Could not move ${p.name}`, () => api.move(p.id, room)),
  join: (room) => attempt('Could not join the room', () => api.join(room)),
  drop: (p, room) => (p.id === view.meId ? actions.join(room) : actions.move(p, room)),
  deleteRoom: (r) => attempt(`Could not delete ${r.name}`, () => api.deleteRoom(r.id)),
  hangUp: (p) => attempt(`Could not hang up ${p.name}`, () => api.hangUp(p.id)),
  setHand: (p, up) => attempt(up ? 'Could not raise the hand' : `Could not lower ${p.name}'s hand`, () => api.setHand(p.id, up)),
  setHelp: (p, asked) => {
    let what = `Could not clear ${p.name}'s request for help`;
    if (asked) what = 'Could not ask for a host';
    else if (p.id === view.meId) what = 'Could not cancel your request for help';
    return attempt(what, () => api.setHelp(p.id, asked));
  },
  mute: (p, on) => attempt(on ? `Could not mute ${p.name}` : `Could not unmute ${p.name}`,
    () => (on ? api.mute(p.id) : api.unmute(p.id))),
  muteRoom: (r) => attempt(`Could not mute ${r.name}`, () => api.muteRoom(r.id)),
  setHost: (p, on) => attempt(on ? `Could not make ${p.name} a host` : `Could not take the host role from ${p.name}`,
    () => api.setHost(p.id, on)),
  remove: (p) => attempt(`Could not remove ${p.name}`, () => api.remove(p.id)),
  hangUpAndBan: (p) => attempt(`Could not ban ${p.name}`, () => api.hangUpAndBan(p.id)),
  removeAndBan: (p) => attempt(`Could not ban ${p.name}`, () => api.removeAndBan(p.id)),
  record: (on) => attempt(on ? 'Could not start recording' : 'Could not stop recording',
    () => (on ? api.startRecording() : api.stopRecording())),
  toggleMenu: (pid) => {
    view.openMenu = view.openMenu === pid ? null : pid;
    render();
    if (view.openMenu) focusMenu(pid, 'menu');
  },
  closeMenu: () => {
    const pid = view && view.openMenu;
    if (!pid) return;
    view.openMenu = null;
    render();
    focusMenu(pid, 'button');
  },
  dragEnded: () => {
    if (pendingRender) render();
  },
};

// speaking lights or puts out one participant's ring in place: it comes
// up to four times a second per talker, too often to re-read the meeting,
// or even to redraw it. A read still out gets the change too, as patch
// gives it, so that its older answer does not undo it.
function speaking(p) {
  if (!view || !p) return;
  const change = (info) => sameParticipant(info, p.id, (q) => { q.speaking = p.speaking; });
  change(view.info);
  if (reading) patches.push(change);
  for (const node of document.querySelectorAll(`[data-pid="${CSS.escape(p.id)}"]`)) {
    node.classList.toggle('speaking', Boolean(p.speaking));
  }
}

function onEvent(type, ev) {
  switch (type) {
    case 'participant.speaking':
      speaking(ev.participant);
      return;
    case 'participant.help':
      // The event carries the whole change, so the mark, a host's Helped
      // and the participant's own button follow it without a read.
      if (ev.participant) {
        const { id, help } = ev.participant;
        patch((info) => sameParticipant(info, id, (q) => { q.help = help; }));
        return;
      }
      break;
    case 'toast':
      showToast(el.toasts, ev.message, ev.ttl_ms || 10000);
      return;
    case 'phone.failed':
      showError(el.errors, 'Dial-out', new Error(callFailed(ev.participant, ev.status)));
      break;
    case 'participant.left':
      if (ev.participant && ev.participant.id === view.meId) {
        leave(ev.reason === 'left' ? 'You have left the meeting.' : `You were removed from the meeting (${ev.reason}).`);
        return;
      }
      break;
    case 'participant.audio':
      if (voice && ev.participant && ev.participant.id === view.meId) {
        const why = voice.observe(ev.participant.audio, ev.reason);
        if (why) showError(el.errors, 'Your audio ended', new Error(audioEndedWhy(why)));
      }
      break;
    case 'conference.ended':
      leave('The meeting has ended.');
      return;
    case 'recording.started':
    case 'recording.stopped':
    case 'recording.failed':
      loadRecordings();
      break;
    case 'ban.added':
    case 'ban.removed':
      loadBans();
      break;
    default:
  }
  scheduleRefresh();
}

function showSignIn(note) {
  el.meeting.hidden = true;
  el.signOut.hidden = true;
  el.audioToggle.hidden = true;
  el.handToggle.hidden = true;
  el.helpToggle.hidden = true;
  renderMic(false);
  el.signIn.hidden = false;
  el.signInNote.textContent = note || '';
  el.title.textContent = 'confgw';
  el.who.textContent = '';
  setLive('', 'off');
  el.tokenInput.focus();
}

function leave(note) {
  if (stopEvents) stopEvents();
  stopEvents = null;
  if (voice) voice.drop(false);
  voice = null;
  api = null;
  view = null;
  wasHost = false;
  forgetToken();
  showSignIn(note);
}

async function signIn(token) {
  token = token.trim();
  let who;
  try {
    who = whoIs(token);
  } catch (err) {
    forgetToken();
    showSignIn(err.message);
    return;
  }
  const candidate = new Api(token, who.conference);
  let info;
  try {
    info = await candidate.conference();
  } catch (err) {
    forgetToken();
    showSignIn(`Could not sign in: ${err.message}`);
    return;
  }
  keepToken(token);
  api = candidate;
  view = { info, meId: who.participant, openMenu: null };
  voice = new Voice(api, el.voiceOut, renderAudioButton);
  el.signIn.hidden = true;
  el.meeting.hidden = false;
  el.signOut.hidden = false;
  setLive('Connecting…', 'down');
  render();
  stopEvents = follow(api, {
    onEvent,
    onOpen: () => { setLive('Live', 'up'); scheduleRefresh(); },
    onDown: () => setLive('Reconnecting…', 'down'),
    onFatal: (err) => leave(`You are no longer in this meeting: ${err.message}`),
    onReset: refresh,
  });
}

el.signInForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = el.tokenInput.value;
  el.tokenInput.value = '';
  signIn(token);
});
el.signOut.addEventListener('click', () => leave('Signed out.'));
el.audioToggle.addEventListener('click', async () => {
  const v = voice;
  if (!v || (v.phase !== 'off' && v.phase !== 'on')) return;
  const joining = v.phase === 'off';
  try {
    await (joining ? v.join() : v.leave());
  } catch (err) {
    showError(el.errors, joining ? 'Could not join audio' : 'Could not leave audio', err);
  }
});
el.handToggle.addEventListener('click', () => {
  if (!view || !view.me) return;
  actions.setHand(view.me, !view.me.hand);
});
el.helpToggle.addEventListener('click', () => {
  if (!view || !view.me) return;
  actions.setHelp(view.me, !view.me.help);
});
el.muteToggle.addEventListener('click', () => {
  if (voice) voice.setMuted(!voice.muted);
});
// A reloaded or closed tab ends its session at once rather than leave it to
// the gateway's silence timeout; the next page starts without audio.
window.addEventListener('pagehide', () => {
  if (voice) voice.drop(true);
});
el.addRoom.addEventListener('click', async () => {
  el.addRoom.disabled = true;
  await attempt('Could not add a breakout room', () => api.addRoom());
  el.addRoom.disabled = false;
});
el.breakoutToggle.addEventListener('change', () => {
  const on = el.breakoutToggle.checked;
  attempt(on ? 'Could not turn breakout rooms on' : 'Could not turn breakout rooms off', () => api.setBreakout(on));
});
el.dialForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const to = el.dialTo.value.trim();
  if (!to) return;
  const button = el.dialForm.querySelector('button');
  button.disabled = true;
  await attempt(`Could not call ${to}`, async () => {
    await api.dialOut(to);
    el.dialTo.value = '';
  });
  button.disabled = false;
});
document.addEventListener('keydown', (e) => {
  if (!view || !view.openMenu) return;
  if (e.key === 'Escape') {
    actions.closeMenu();
    return;
  }
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const menu = document.querySelector(`[data-menu="${CSS.escape(view.openMenu)}"]`);
  const entries = menu ? [...menu.querySelectorAll('button:not([disabled])')] : [];
  if (!entries.length) return;
  e.preventDefault();
  const i = entries.indexOf(document.activeElement);
  const next = e.key === 'ArrowDown' ? (i + 1) % entries.length : (i - 1 + entries.length) % entries.length;
  entries[next].focus();
});
document.addEventListener('click', (e) => {
  if (!view || !view.openMenu) return;
  if (e.target.closest('[data-menu], .more')) return;
  actions.closeMenu();
});
makeMovable(el.panel, el.panelHead, el.dock);

const token = takeToken();
if (token) signIn(token);
else showSignIn('');
