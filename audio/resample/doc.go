// Package resample converts mono 16-bit audio between the 8000 Hz of
// G.711 phone legs and the 16000 Hz of a wideband room, by a factor of two
// each way.
//
// A phone leg needs one Up on the way in (8 kHz → 16 kHz) and one Down on
// the way out (16 kHz → 8 kHz). Each is a small stateful filter: the
// filter's history spans frames, so one value belongs to one direction of
// one leg, is fed that stream's frames in order, and is Reset when the
// stream restarts (a re-INVITE, a new SSRC) so the old call's tail does not
// leak into the new one. Neither is safe for concurrent use, which is
// fine: a leg's direction is driven by one goroutine.
//
// Both are the same 55-tap half-band low-pass, a Kaiser-windowed sinc
// (β = 6.4) with its cutoff at 4 kHz, run in polyphase form. Half-band
// means every other tap is zero except the centre one, which is ½; so
//
//   - Up produces one of each pair of output samples with the 28 non-zero
//     taps and the other by copying an input sample (the centre tap's
//     phase: ½ × the interpolation gain of 2 is exactly 1), and never
//     multiplies the zeros that zero-stuffing would insert;
//   - Down computes only the outputs it keeps, each with 28 taps plus the
//     centre one.
//
// Measured on the Q15 taps (see the tests, which print the figures):
// within ±0.01 dB from 0 to 3.4 kHz and −0.35 dB at 3.6 kHz per pass;
// at least 64 dB down at and above 4.6 kHz, so images of a phone's
// voice band (above 4.6 kHz after Up) and aliases of a wideband talker's
// 4.6–8 kHz (folded below 3.4 kHz by Down) are at least 64 dB down.
// Between 3.4 and 4.6 kHz the response falls through −6 dB at 4 kHz, as
// every factor-of-two half-band does; G.711 carries nothing there that
// matters (G.712's channel stops at 3.4 kHz).
//
// The filter is linear-phase, so its delay is the same at every
// frequency: 27 samples at 16 kHz, 1.6875 ms, for each of Up and Down
// (Delay). A phone's voice crossing a room to another phone pays it twice,
// 3.375 ms, which is 27 samples at 8 kHz exactly.
//
// Arithmetic is fixed-point: Q15 taps, int32 accumulation, rounding to
// nearest and saturation to int16. Outputs are therefore exact and the
// same on every platform, silence stays exact silence, and a full-scale
// input that the filter's overshoot would push past int16 is clipped, never
// wrapped. The taps are a generated table (taps.go); the test that checks
// the table against the design rewrites it when run with -update.
//
// Frame size is the caller's: Process takes lengths from its slices, so a
// 20 ms frame is 160 samples at 8 kHz and 320 at 16 kHz, whatever the room
// rate elsewhere. Callers should pass whole frames; any block length gives
// the same output as one long block, since the state carries over.
package resample
