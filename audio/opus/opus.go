package opus

import (
	"errors"
	"fmt"

	"github.com/confgw/confgw/audio"
	"github.com/thesyncim/gopus"
)

// Codec is Opus as RFC 7587 has SDP name it. The clock is 48000 whatever
// rate the room runs at, because RFC 7587 fixes the RTP clock for Opus at
// 48 kHz; a 20 ms frame is therefore 960 timestamp units. minptime=10 admits
// the shortest frames a WebRTC peer may send, useinbandfec=1 asks the
// peer for in-band FEC, which costs it bits but not us, and usedtx=1 asks
// it to stop sending while its user is silent (RFC 7587 section 6.1): a
// browser then sends a packet every 400 ms instead of 50 a second, and a
// room of mostly silent listeners decodes only its talkers.
var Codec = audio.Codec{PayloadType: 111, Name: "opus", ClockRate: 48000, Fmtp: "minptime=10;useinbandfec=1;usedtx=1"}

// DefaultBitrate is the encoder bitrate, in bits per second, a room should
// use when the peer states no preference: at 16 kHz it keeps a tone's
// artefacts furthest down of the rates measured (see the package doc).
const DefaultBitrate = 64000

// MaxPacketSize is the largest payload Encode can produce for one 20 ms
// frame: a TOC byte and at most 1275 bytes of frame (RFC 6716, section
// 3.2.1). An out buffer this long never makes Encode fail for space.
const MaxPacketSize = 1276

// frameMillis is the one frame duration Encode accepts, the ptime every
// room runs at.
const frameMillis = 20

// maxPacketMillis is the longest audio one Opus packet may carry (RFC 6716,
// section 3.2.5); Decode keeps room for all of it so that any valid packet
// decodes, whatever part of it the caller has room for.
const maxPacketMillis = 120

// Errors Encode and Decode wrap, so callers can tell a peer's bad packet
// from their own misuse with errors.Is.
var (
	// ErrFrameSize reports a PCM slice that is not 20 ms at the encoder's
	// rate.
	ErrFrameSize = errors.New("opus: PCM is not one 20 ms frame")
	// ErrEmptyPayload reports a zero-length payload, which RFC 7587 does not
	// allow (every packet has at least its TOC byte); a lost packet is
	// Conceal's job, not an empty Decode.
	ErrEmptyPayload = errors.New("opus: empty payload")
	// ErrInvalidPacket reports a payload the decoder rejected: truncated,
	// malformed, or larger than any RTP packet carries.
	ErrInvalidPacket = errors.New("opus: invalid packet")
	// ErrPacketTooLong reports a valid packet carrying more audio than the
	// caller's PCM slice holds (40 or 60 ms into a 20 ms frame): Decode kept
	// what fits and dropped the rest.
	ErrPacketTooLong = errors.New("opus: packet longer than the PCM frame")
)

// checkRate rejects rates Opus cannot run at; Opus works internally at
// these five and no others.
func checkRate(sampleRate int) error {
	switch sampleRate {
	case 8000, 12000, 16000, 24000, 48000:
		return nil
	}
	return fmt.Errorf("opus: sample rate %d Hz is not one of 8000, 12000, 16000, 24000, 48000", sampleRate)
}

// Encoder turns 20 ms mono frames into Opus packets, one packet per frame.
// It keeps state across frames, so one Encoder belongs to one outgoing
// stream; it is not safe for concurrent use.
type Encoder struct {
	enc                  *gopus.Encoder
	rate, bitrate, frame int
}

// NewEncoder returns an Encoder for mono PCM at sampleRate (8000, 12000,
// 16000, 24000 or 48000) aiming at bitrate bits per second (6000 to
// 510000, Opus's range).
//
// The encoder is tuned for speech (the VoIP application), which favours
// intelligibility over fidelity and high-passes the input; its output is
// variable-bitrate, as WebRTC peers expect.
func NewEncoder(sampleRate, bitrate int) (*Encoder, error) {
	if err := checkRate(sampleRate); err != nil {
		return nil, err
	}
	if bitrate < 6000 || bitrate > 510000 {
		return nil, fmt.Errorf("opus: bitrate %d bit/s is outside 6000 to 510000", bitrate)
	}
	e := &Encoder{rate: sampleRate, bitrate: bitrate, frame: sampleRate * frameMillis / 1000}
	enc, err := e.newEncoder()
	if err != nil {
		return nil, err
	}
	e.enc = enc
	return e, nil
}

func (e *Encoder) newEncoder() (*gopus.Encoder, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: e.rate, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("opus: %w", err)
	}
	if err := enc.SetBitrate(e.bitrate); err != nil {
		return nil, fmt.Errorf("opus: %w", err)
	}
	// 20 ms is gopus's default, but saying so keeps us from relying on it.
	// gopus counts the frame size at the API rate, though its doc says
	// 48 kHz.
	if err := enc.SetFrameSize(e.frame); err != nil {
		return nil, fmt.Errorf("opus: %w", err)
	}
	return enc, nil
}

// Encode encodes pcm, exactly one 20 ms frame at the encoder's rate, into
// out and returns the payload's length. An out of MaxPacketSize bytes is
// always long enough.
func (e *Encoder) Encode(pcm []int16, out []byte) (int, error) {
	if len(pcm) != e.frame {
		return 0, fmt.Errorf("%w: got %d samples, want %d", ErrFrameSize, len(pcm), e.frame)
	}
	n, err := e.enc.EncodeInt16(pcm, out)
	if err != nil {
		return 0, fmt.Errorf("opus: encoding: %w", err)
	}
	return n, nil
}

// Reset forgets the stream encoded so far, for when the outgoing stream
// restarts (a new SSRC): the next frame is coded as a new encoder would
// code it. Reset allocates a new encoder, since gopus's own Reset keeps
// some state (its next packet differs from a fresh encoder's); a stream
// restarts rarely enough for that not to matter.
func (e *Encoder) Reset() {
	enc, err := e.newEncoder()
	if err != nil {
		// Cannot happen, as NewEncoder succeeded with the same settings;
		// a partial reset is the best left.
		e.enc.Reset()
		return
	}
	e.enc = enc
}

// Decoder turns Opus packets, from any encoder, back into mono PCM at its
// rate. It keeps state across packets, so one Decoder belongs to one
// incoming stream; it is not safe for concurrent use.
type Decoder struct {
	dec *gopus.Decoder
	// buf holds a whole packet's audio before it is cut to the caller's
	// frame: the underlying decoder refuses to decode part of a packet.
	buf  []int16
	rate int
}

// NewDecoder returns a Decoder producing mono PCM at sampleRate (8000,
// 12000, 16000, 24000 or 48000). Whatever bandwidth and channel count the
// peer encoded with, the output is resampled and downmixed to that.
func NewDecoder(sampleRate int) (*Decoder, error) {
	if err := checkRate(sampleRate); err != nil {
		return nil, err
	}
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(sampleRate, 1))
	if err != nil {
		return nil, fmt.Errorf("opus: %w", err)
	}
	return &Decoder{dec: dec, buf: make([]int16, sampleRate*maxPacketMillis/1000), rate: sampleRate}, nil
}

// Decode decodes one RTP payload into pcm and returns how many samples it
// wrote. A 20 ms packet fills a 20 ms pcm; a 10 ms packet fills half of it
// and returns that count, so a caller short of a frame can Conceal the rest.
// A packet longer than pcm (40 or 60 ms) fills pcm and returns ErrPacketTooLong
// along with the count: the surplus is dropped, though the decoder's state
// has seen it, so the next packet decodes without a glitch.
//
// Any other error leaves pcm and the count at zero; the payload is the
// peer's and may be anything, so Decode checks it and never panics.
func (d *Decoder) Decode(payload []byte, pcm []int16) (int, error) {
	if len(payload) == 0 {
		return 0, ErrEmptyPayload
	}
	n, err := d.dec.DecodeInt16(payload, d.buf)
	if err != nil {
		return 0, fmt.Errorf("%w (%d bytes): %w", ErrInvalidPacket, len(payload), err)
	}
	copied := copy(pcm, d.buf[:n])
	if copied < n {
		return copied, fmt.Errorf("%w: %.1f ms of audio, %.1f ms dropped", ErrPacketTooLong,
			d.millis(n), d.millis(n-copied))
	}
	return n, nil
}

func (d *Decoder) millis(samples int) float64 { return float64(samples) * 1000 / float64(d.rate) }

// Conceal fills pcm with a guess at the audio of a lost packet, continuing
// what the decoder last heard and fading it out if losses go on. Before any
// packet has arrived it fills silence. pcm's length should be a multiple of
// 2.5 ms at the decoder's rate, as Opus frames are; any remainder is
// silence.
func (d *Decoder) Conceal(pcm []int16) {
	filled := 0
	// The underlying concealment produces at most one of the last packet's
	// frames per call, so a 20 ms gap after 10 ms frames takes two rounds.
	for filled < len(pcm) {
		n, err := d.dec.DecodeInt16(nil, pcm[filled:])
		if err != nil || n <= 0 {
			break
		}
		filled += n
	}
	clear(pcm[filled:])
}

// Reset forgets the stream decoded so far, for when the incoming stream
// restarts (a new SSRC): concealment no longer continues the old stream.
func (d *Decoder) Reset() { d.dec.Reset() }
