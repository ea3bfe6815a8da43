// Package audio holds what every part of the audio path agrees on: the
// frame a room mixes, the rate and duration it has, and how a codec is
// described. It is a leaf: codecs, jitter buffers, RTP transport, mixers
// and recorders import it, and it imports nothing of the gateway's.
//
// The rates rooms mix at are set here and only here, and every frame
// carries its own: sizes and timestamp steps elsewhere derive from them.
package audio
