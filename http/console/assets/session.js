// The token signs the tab in. It lives in sessionStorage (gone when the tab
// closes) and leaves the address bar at once, so it is not bookmarked,
// shared by copy-paste, or kept in the browser's history.

const KEY = 'confgw.token';

export function takeToken() {
  const url = new URL(window.location.href);
  const fromLink = url.searchParams.get('token');
  if (fromLink !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    if (fromLink) keepToken(fromLink);
  }
  return sessionStorage.getItem(KEY) || '';
}

export function keepToken(token) {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

// whoIs reads the conference and participant a token names. The server
// checks the signature on every call; the page only needs to know who it is.
export function whoIs(token) {
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new Error('That is not a participant token. Paste the token from the invitation link (the admin key signs no one in).');
  }
  let claims;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('That token cannot be read. Copy the whole token from the invitation link.');
  }
  if (typeof claims.conf !== 'string' || typeof claims.sub !== 'string' || !claims.conf || !claims.sub) {
    throw new Error('That token names no meeting or participant.');
  }
  return { conference: claims.conf, participant: claims.sub };
}
