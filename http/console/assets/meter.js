// The live level of the participant's own microphone. It reads the local
// stream, which is what the connection sends: after the browser's own
// processing, and silent while muted, so an empty bar tells a muted person
// that the room hears nothing. It is drawn once per animation frame, which
// the browser pauses in a hidden tab where no one would see it.

// FLOOR_DB is the level an empty bar stands for; speech near the
// microphone sits some 20 to 40 dB above it.
const FLOOR_DB = -60;
// FALL is how many percent the bar may drop per frame: it falls smoothly
// rather than flickering with every syllable, and still empties in a second.
const FALL = 2;

// levelOf returns the RMS level of samples in percent of the bar.
function levelOf(samples) {
  let sum = 0;
  for (const v of samples) sum += v * v;
  const db = 10 * Math.log10(sum / samples.length || 1e-12);
  return Math.max(0, Math.min(100, ((db - FLOOR_DB) / -FLOOR_DB) * 100));
}

// startMeter draws stream's level into meter, an element with
// role="meter" holding the bar, and returns the function that stops it.
export function startMeter(stream, meter) {
  const bar = meter.firstElementChild;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  // The analyser is not connected on to the speakers: one's own voice
  // played back would echo.
  const source = ctx.createMediaStreamSource(stream);
  source.connect(analyser);
  // A context made long after the click that joined may start suspended.
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  const samples = new Float32Array(analyser.fftSize);
  let shown = 0;
  let said = -1;
  let frame = 0;
  const set = (level) => {
    bar.style.width = `${level}%`;
    // The label changes only with the whole percent, not every frame.
    const whole = Math.round(level);
    if (whole === said) return;
    said = whole;
    meter.setAttribute('aria-valuenow', String(whole));
    meter.setAttribute('aria-label', `Microphone level ${whole}%`);
  };
  const draw = () => {
    analyser.getFloatTimeDomainData(samples);
    shown = Math.max(levelOf(samples), shown - FALL);
    set(shown);
    frame = requestAnimationFrame(draw);
  };
  frame = requestAnimationFrame(draw);
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    ctx.close().catch(() => {});
    set(0);
  };
}
