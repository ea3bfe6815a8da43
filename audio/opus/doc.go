// Package opus codes a room's audio as Opus (RFC 6716) in the RTP payload
// format of RFC 7587, for WebRTC peers, on the pure-Go gopus codec.
//
// The room's PCM rate is a parameter, not audio.SampleRate: an Encoder or
// Decoder works on 20 ms of mono int16 at whichever of Opus's rates it was
// made for (8, 12, 16, 24 or 48 kHz), so the same code serves 8 kHz rooms
// today and 16 kHz rooms later. The RTP clock is 48 kHz regardless (960
// ticks a frame), as RFC 7587 requires.
//
// One Encoder codes one outgoing stream and one Decoder decodes one
// incoming stream; each keeps state from frame to frame and belongs to the
// goroutine driving that stream. Encode, Decode and Conceal allocate
// nothing once running, with one exception inside gopus: concealing a
// lost SILK packet allocates three small slices.
//
// Decode takes whatever a peer sends, stereo or mono, 2.5 to 120 ms: it
// downmixes, fills the caller's frame with what fits and reports what did
// not. It never panics on a hostile payload (FuzzDecode).
package opus
