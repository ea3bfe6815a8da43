// The gateway's JSON API, with the token in the Authorization header so it
// never appears in a URL the server or a proxy might log.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page: fall back to the status below.
  }
  const e = body && body.error;
  return new ApiError(res.status, (e && e.code) || `http_${res.status}`,
    (e && e.message) || `the gateway answered ${res.status} ${res.statusText}`.trim());
}

export class Api {
  constructor(token, conferenceId) {
    this.token = token;
    this.base = `/v1/conferences/${encodeURIComponent(conferenceId)}`;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  raw(method, path, body) {
    if (body === undefined) return this.send(method, this.base + path);
    return this.send(method, this.base + path, JSON.stringify(body), 'application/json');
  }

  async send(method, url, body, type) {
    const init = { method, headers: this.headers(type ? { 'Content-Type': type } : {}), cache: 'no-store', body };
    let res;
    try {
      res = await fetch(url, init);
    } catch {
      throw new ApiError(0, 'network', 'the gateway cannot be reached; check the connection');
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async call(method, path, body) {
    const res = await this.raw(method, path, body);
    if (res.status === 204) return null;
    return res.json();
  }

  conference() { return this.call('GET', ''); }
  setBreakout(on) { return this.call('PATCH', '', { breakout_enabled: on }); }
  addRoom() { return this.call('POST', '/rooms'); }
  deleteRoom(room) { return this.call('DELETE', `/rooms/${encodeURIComponent(room)}`); }
  join(room) { return this.call('POST', `/rooms/${encodeURIComponent(room)}/join`); }
  move(pid, room) { return this.call('POST', `/participants/${encodeURIComponent(pid)}/move`, { room }); }
  hangUp(pid) { return this.call('POST', `/participants/${encodeURIComponent(pid)}/hangup`); }
  mute(pid, lock) { return this.call('POST', `/participants/${encodeURIComponent(pid)}/mute`, lock ? { lock: true } : undefined); }
  unmute(pid) { return this.call('POST', `/participants/${encodeURIComponent(pid)}/unmute`); }
  muteRoom(room) { return this.call('POST', `/rooms/${encodeURIComponent(room)}/mute`); }
  hangUpAndBan(pid) { return this.call('POST', `/participants/${encodeURIComponent(pid)}/hangup`, { ban: true }); }
  removeAndBan(pid) { return this.call('DELETE', `/participants/${encodeURIComponent(pid)}?ban=true`); }
  bans() { return this.call('GET', '/bans'); }
  liftBan(key) { return this.call('DELETE', `/bans/${encodeURIComponent(key)}`); }
  setHost(pid, on) { return this.call(on ? 'POST' : 'DELETE', `/participants/${encodeURIComponent(pid)}/host`); }
  setHand(pid, raised) { return this.call(raised ? 'POST' : 'DELETE', `/participants/${encodeURIComponent(pid)}/hand`); }
  setHelp(pid, asked) { return this.call(asked ? 'POST' : 'DELETE', `/participants/${encodeURIComponent(pid)}/help`); }
  remove(pid) { return this.call('DELETE', `/participants/${encodeURIComponent(pid)}`); }
  startRecording() { return this.call('POST', '/rooms/main/recording'); }
  stopRecording() { return this.call('DELETE', '/rooms/main/recording'); }
  recordings() { return this.call('GET', '/recordings'); }
  dialOut(to) { return this.call('POST', '/dial-out', { to }); }

  // offerAudio posts a complete SDP offer, as WHIP does, and returns the
  // answer with the session's URL, which is what ends it.
  async offerAudio(sdp) {
    const res = await this.send('POST', `${this.base}/media`, sdp, 'application/sdp');
    const location = res.headers.get('Location');
    if (!location) throw new ApiError(res.status, 'no_location', 'the gateway answered without the audio session\'s address');
    // Only the path is kept: the token goes to no host but this page's.
    return { location: new URL(location, window.location.href).pathname, answer: await res.text() };
  }

  async endAudio(location) {
    await this.send('DELETE', location);
  }

  // endAudioOnUnload outlives the page: a keepalive request is still sent
  // while the tab closes or reloads, so the session does not linger until
  // the gateway notices the silence.
  endAudioOnUnload(location) {
    fetch(location, { method: 'DELETE', headers: this.headers(), keepalive: true }).catch(() => {});
  }

  async download(rid) {
    const res = await this.raw('GET', `/recordings/${encodeURIComponent(rid)}`);
    return res.blob();
  }
}
