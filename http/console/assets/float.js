// The panel floats over the video area, as in the app; a host can drag it
// by its title bar anywhere on the screen, or dock it to the other side with
// a button (the keyboard way). Small screens stack it under the video.

const narrow = window.matchMedia('(max-width: 720px)');

export function makeMovable(panel, handle, dockButton) {
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), Math.max(lo, hi));

  handle.addEventListener('pointerdown', (e) => {
    if (narrow.matches || e.button !== 0 || e.target.closest('button, input, label, a')) return;
    const r = panel.getBoundingClientRect();
    const dx = e.clientX - r.left;
    const dy = e.clientY - r.top;
    handle.setPointerCapture(e.pointerId);
    document.body.dataset.dock = 'free';
    const move = (ev) => {
      panel.style.left = `${clamp(ev.clientX - dx, 0, window.innerWidth - r.width)}px`;
      panel.style.top = `${clamp(ev.clientY - dy, 0, window.innerHeight - 48)}px`;
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
    move(e);
  });

  dockButton.addEventListener('click', () => {
    const next = document.body.dataset.dock === 'left' ? 'right' : 'left';
    document.body.dataset.dock = next;
    panel.style.left = '';
    panel.style.top = '';
    dockButton.setAttribute('aria-label', `Dock the panel on the ${next === 'left' ? 'right' : 'left'}`);
  });
}
