// What a page hears: the tests' ear on the stream the console plays from
// the gateway, <audio id="voice-out">, judged by where its energy lies
// rather than by absolute levels, which the codecs and Chromium's own
// processing change.

import { until } from './harness.js';

// listen runs in a page: an AnalyserNode on the stream the page plays
// takes a few spectra, 100 ms apart, and reports for each the loudest
// frequency, the level near freq and the median level of all bins.
export function listen(page, freq) {
  return page.evaluate(async (f) => {
    const stream = document.getElementById('voice-out').srcObject;
    if (!stream) return null;
    let ear = window.testEar;
    if (!ear || ear.stream !== stream) {
      if (ear) ear.ctx.close();
      const ctx = new AudioContext();
      const an = ctx.createAnalyser();
      an.fftSize = 4096;
      // Chromium smooths each read with the one before: a tone that
      // stopped would linger for seconds in the reads after it.
      an.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(stream).connect(an);
      ear = { ctx, an, stream };
      window.testEar = ear;
    }
    const hz = ear.ctx.sampleRate / ear.an.fftSize;
    const d = new Float32Array(ear.an.frequencyBinCount);
    const k = Math.round(f / hz);
    const reads = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ear.an.getFloatFrequencyData(d);
      let peak = 1;
      for (let j = 2; j < d.length; j++) if (d[j] > d[peak]) peak = j;
      let near = -Infinity;
      for (let j = k - 2; j <= k + 2; j++) near = Math.max(near, d[j]);
      const sorted = Float32Array.from(d).sort();
      reads.push({ peakHz: Math.round(peak * hz), peakDb: d[peak], nearDb: near, medianDb: sorted[sorted.length >> 1] });
    }
    return reads;
  }, freq);
}

// A tone is heard when it is the loudest thing in every read, well above
// the rest of the spectrum; it is gone when every read has next to nothing
// near its frequency.
export const hears = (reads, f) => Boolean(reads) && reads.every((r) => Math.abs(r.peakHz - f) <= 25 && r.nearDb > -70 && r.nearDb - r.medianDb > 40);
export const deaf = (reads) => Boolean(reads) && reads.every((r) => r.nearDb < -100);

// untilEar polls a page's ear until ok holds for its reads; a failure
// shows the last ones, as [peak Hz, peak dB, dB near freq, median dB].
export async function untilEar(page, freq, ok, what) {
  let last = null;
  try {
    await until(async () => ok(last = await listen(page, freq), freq), what);
  } catch (err) {
    const reads = last && last.map((r) => [r.peakHz, r.peakDb, r.nearDb, r.medianDb].map((v) => (Number.isFinite(v) ? Math.round(v) : String(v))));
    throw new Error(`${err.message}; last reads: ${JSON.stringify(reads)}`);
  }
}
