// Package opus codes a room's audio as Opus (RFC 6716) in the RTP payload
// format of RFC 7587, for WebRTC peers, on the pure-Go gopus codec.
//
// The PCM rate is a parameter: an Encoder or Decoder works on 20 ms of mono
// int16 at whichever of Opus's rates it was made for (8, 12, 16, 24 or 48
// kHz); app audio uses it at the wideband rate, 16 kHz. The RTP clock is 48 kHz regardless (960
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
//
// # Held to libopus
//
// The tests check gopus against libopus as Debian ships it (opusdec from
// opus-tools, and ffmpeg's libopus encoder): decoding libopus's packets at
// 48 kHz, where neither side resamples, gopus gives libopus's samples to
// within 1 in 32768 in SILK, hybrid and CELT modes, 10 to 60 ms frames,
// with FEC; libopus's tones reach 8 and 16 kHz rooms at their level; and
// opusdec and ffmpeg decode our Ogg-wrapped packets to the tone sent.
//
// # Bitrate
//
// Encoding a −6 dBFS tone at 16 kHz and decoding with libopus, the
// strongest component other than the tone (anything beyond 12 Hz of it,
// Blackman-Harris window, 0.68 s at 48 kHz) lies this many dB below it:
//
//	16 kHz        440 Hz  1000 Hz  3000 Hz  5200 Hz  worst
//	24 kbit/s       44.1     32.2     35.1     35.9   32.2
//	32 kbit/s       47.4     43.0     39.4     38.6   38.6
//	48 kbit/s       53.5     45.9     39.8     44.7   39.8
//	64 kbit/s       53.8     46.8     49.4     46.4   46.4
//
// libopus's own encoder, same settings, for comparison:
//
//	24 kbit/s       48.1     46.9     43.5     43.9   43.5
//	32 kbit/s       54.3     50.7     45.5     43.9   43.9
//	48 kbit/s       58.1     50.6     59.8     46.3   46.3
//	64 kbit/s       57.9     52.7     59.0     46.6   46.6
//
// DefaultBitrate is 64 kbit/s: it is the only rate at which every tone's
// worst artefact is more than 46 dB down, 6.6 dB better than 48 kbit/s in
// the worst case and 9.6 dB at 3 kHz, and the only one at which gopus
// matches libopus's worst case. Below it the encoder is in SILK mode, where
// gopus trails libopus by up to 20 dB (3 kHz at 48 kbit/s); at 64 kbit/s
// it switches to CELT. No rate reaches 60 dB at 16 kHz, libopus's encoder
// included (its worst, 46.6 dB, is the 5200 Hz tone), so more bits would
// not buy a cleaner tone. In an 8 kHz room the order differs (48 kbit/s:
// 59.0 dB worst, 64 kbit/s: 44.0), so an 8 kHz room may pass 48000
// explicitly. Reproduce the tables, the 8 kHz one included, with
//
//	go test -run TestTheDefaultBitrateKeepsArtefactsFurthestBelowATone -v ./audio/opus
package opus
