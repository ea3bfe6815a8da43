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

  async raw(method, path, body) {
    const init = { method, headers: this.headers(), cache: 'no-store' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(this.base + path, init);
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
  setHost(pid, on) { return this.call(on ? 'POST' : 'DELETE', `/participants/${encodeURIComponent(pid)}/host`); }
  remove(pid) { return this.call('DELETE', `/participants/${encodeURIComponent(pid)}`); }
  startRecording() { return this.call('POST', '/rooms/main/recording'); }
  stopRecording() { return this.call('DELETE', '/rooms/main/recording'); }
  recordings() { return this.call('GET', '/recordings'); }
  dialOut(to) { return this.call('POST', '/dial-out', { to }); }

  async download(rid) {
    const res = await this.raw('GET', `/recordings/${encodeURIComponent(rid)}`);
    return res.blob();
  }
}
