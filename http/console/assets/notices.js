// Toasts from the server stay for the time it gives (ten seconds, as the
// app's other notifications); errors stay until dismissed so none is missed.

const MAX_ERRORS = 4;

export function showToast(box, message, ttlMs = 10000) {
  const el = document.createElement('div');
  el.className = 'toast';
  el.textContent = message;
  box.append(el);
  setTimeout(() => el.remove(), ttlMs);
}

export function showError(box, what, err) {
  const detail = err && err.message ? err.message : String(err);
  const el = document.createElement('div');
  el.className = 'error';
  const text = document.createElement('span');
  text.textContent = `${what}: ${detail.charAt(0).toUpperCase()}${detail.slice(1)}${/[.!?]$/.test(detail) ? '' : '.'}`;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'dismiss';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => el.remove());
  el.append(text, close);
  box.append(el);
  while (box.children.length > MAX_ERRORS) box.firstElementChild.remove();
}

const sipReasons = {
  404: 'number not found', 408: 'no answer', 480: 'unavailable', 486: 'busy',
  487: 'cancelled', 488: 'no common audio codec', 503: 'trunk unavailable', 603: 'declined',
};

export function callFailed(p, status) {
  const who = (p && p.phone && p.phone.number) || (p && p.name) || 'the phone';
  const why = sipReasons[status] ? `${sipReasons[status]}, SIP ${status}` : `SIP ${status}`;
  return `the call to ${who} failed (${why}).`;
}
