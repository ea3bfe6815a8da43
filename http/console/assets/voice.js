// The signed-in participant's own audio over WebRTC, WHIP-style (RFC 9725):
// one complete offer posted, the answer back, DELETE on its URL to end it.
// The gateway takes no trickled candidates, so the offer waits for ICE
// gathering; a browser that never reports it complete (an interface that
// never answers) is waited for GATHER_MS at most, and what it has is sent.

const GATHER_MS = 3000;

// Words for the reasons participant.audio events give when a session ends.
const endings = {
  ice_failed: 'the connection failed (ICE)',
  dtls_failed: 'the secure connection failed (DTLS)',
  timed_out: 'the gateway stopped receiving your audio',
  replaced: 'another window signed in as you joined audio',
  // A DELETE this page did not send: a host's, or the gateway's own end.
  left: 'a host or the gateway ended it',
};

export function audioEndedWhy(reason) {
  return endings[reason] || `the gateway ended it (${reason})`;
}

// micError puts getUserMedia's DOMException names into words a person can
// act on.
function micError(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new Error('the browser was not allowed to use the microphone; allow it for this page and try again');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new Error('no microphone was found');
    case 'NotReadableError':
    case 'AbortError':
      return new Error('the microphone could not be opened; another program may be using it');
    default:
      return err;
  }
}

function gathered(pc, ms) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// Voice is one page's audio session. Its phase is 'off', 'joining', 'on'
// or 'leaving'; onChange is called whenever it changes.
export class Voice {
  constructor(api, out, onChange) {
    this.api = api;
    this.out = out;
    this.onChange = onChange;
    this.phase = 'off';
    this.pc = null;
    this.mic = null;
    this.location = '';
    this.session = '';
    this.muted = false;
    // The sessions the events stream named since joining: an end is this
    // page's only once its session was named, since the stream may still
    // carry the end of the one this page replaced (a reload's).
    this.named = new Set();
    this.attempt = null;
  }

  set(phase) {
    this.phase = phase;
    this.onChange();
  }

  async join() {
    if (this.phase !== 'off') return;
    const attempt = {};
    this.attempt = attempt;
    this.named = new Set();
    this.set('joining');
    // Signing out or leaving while this runs makes it stale: what it made
    // so far is undone, and nothing more is started.
    const stale = () => this.attempt !== attempt;
    let mic = null;
    let pc = null;
    let location = '';
    const undo = () => {
      if (pc) pc.close();
      if (mic) for (const t of mic.getTracks()) t.stop();
      if (location) this.api.endAudio(location).catch(() => {});
    };
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error('this page cannot use a microphone: open the console over HTTPS, or on this machine at localhost');
      }
      try {
        mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        throw micError(err);
      }
      if (stale()) return undo();
      pc = new RTCPeerConnection({ iceServers: [] });
      this.mic = mic;
      this.pc = pc;
      for (const t of mic.getAudioTracks()) pc.addTrack(t, mic);
      // The gateway's answer may name no stream; the track is enough.
      pc.addEventListener('track', (e) => {
        if (!stale()) this.out.srcObject = e.streams[0] || new MediaStream([e.track]);
      });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, GATHER_MS);
      if (stale()) return undo();
      const res = await this.api.offerAudio(pc.localDescription.sdp);
      location = res.location;
      if (stale()) return undo();
      this.location = location;
      this.session = location.slice(location.lastIndexOf('/') + 1);
      await pc.setRemoteDescription({ type: 'answer', sdp: res.answer });
      if (stale()) return;
      this.set('on');
    } catch (err) {
      if (stale()) return undo();
      undo();
      this.reset();
      throw err;
    }
  }

  // setMuted silences the microphone at its track: a disabled track sends
  // silence, so the room hears nothing while the connection and the
  // session stay up, and unmuting is instant, with no new offer.
  setMuted(muted) {
    if (this.phase !== 'on') return;
    this.muted = muted;
    for (const t of this.mic.getAudioTracks()) t.enabled = !muted;
    this.onChange();
  }

  // leave ends the session from this side. The local connection goes
  // whatever the gateway answers: a session it no longer has (404) is as
  // good as ended, and any other failure is reported.
  async leave() {
    if (this.phase !== 'on' && this.phase !== 'joining') return;
    const { location } = this;
    this.attempt = null;
    this.set('leaving');
    try {
      if (location) await this.api.endAudio(location);
    } catch (err) {
      if (err.status !== 404) throw err;
    } finally {
      this.reset();
    }
  }

  // drop ends the session without waiting, for a page signing out or
  // closing.
  drop(unloading) {
    if (this.location) {
      if (unloading) this.api.endAudioOnUnload(this.location);
      else this.api.endAudio(this.location).catch(() => {});
    }
    this.attempt = null;
    this.reset();
  }

  // observe reads a participant.audio event about the signed-in
  // participant and returns the reason when it ended this page's session,
  // which it then closes.
  observe(audio, reason) {
    if (audio && audio.session) this.named.add(audio.session);
    if (!reason || this.phase !== 'on' || !this.named.has(this.session)) return '';
    if (audio && audio.session === this.session) return '';
    this.attempt = null;
    this.reset();
    return reason;
  }

  reset() {
    if (this.pc) this.pc.close();
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    this.out.srcObject = null;
    this.pc = null;
    this.mic = null;
    this.location = '';
    this.session = '';
    // The next join opens the microphone afresh, unmuted.
    this.muted = false;
    this.set('off');
  }
}
