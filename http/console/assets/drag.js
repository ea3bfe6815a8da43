// Drag and drop of names onto rooms with the browser's own HTML5 drag
// events (mouse and, in current browsers, touch). The panel is not redrawn
// while a drag is under way, or the dragged row would vanish mid-gesture.

let dragged = null;

export function dragging() {
  return dragged !== null;
}

export function makeDraggable(row, p, onEnd) {
  row.draggable = true;
  row.addEventListener('dragstart', (e) => {
    dragged = p;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', p.name);
    row.classList.add('dragging');
  });
  row.addEventListener('dragend', () => {
    dragged = null;
    row.classList.remove('dragging');
    onEnd();
  });
}

export function makeDropTarget(section, roomId, onDrop) {
  section.addEventListener('dragover', (e) => {
    if (!dragged || dragged.room === roomId) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    section.classList.add('drop-here');
  });
  section.addEventListener('dragleave', (e) => {
    if (!section.contains(e.relatedTarget)) section.classList.remove('drop-here');
  });
  section.addEventListener('drop', (e) => {
    e.preventDefault();
    section.classList.remove('drop-here');
    const p = dragged;
    if (p && p.room !== roomId) onDrop(p, roomId);
  });
}
