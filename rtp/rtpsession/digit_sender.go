package rtpsession

import (
	"fmt"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/rtp/dtmf"
)

const (
	// digitQueue is how many keys SendDigit accepts ahead of playout:
	// enough for a conference PIN.
	digitQueue = 16
	// Outgoing key presses last digitTicks frames (100 ms, the usual
	// minimum a receiver accepts), end with endRepeats end packets as RFC
	// 4733 recommends, and are followed by digitGapTicks frames of audio
	// so consecutive keys stay distinct.
	digitTicks    = 5
	endRepeats    = 3
	digitGapTicks = 2
)

// digitSender turns queued key presses into RFC 4733 telephone-events, one
// per mixer tick, which go out in place of that tick's audio. Its queue may
// be filled from any goroutine; the rest belongs to WriteFrame's caller,
// which alone writes to the socket.
type digitSender struct {
	queue chan byte
	key   dtmf.Event
	start uint32 // timestamp of the key's first tick
	ticks int    // ticks of the current key sent, 0 when idle
	gap   int    // audio ticks left before the next key may start
}

// digitPacket is one tick's telephone-event.
type digitPacket struct {
	event dtmf.Event
	// timestamp is the key's first tick's, on every packet of the key:
	// the event's duration says how far into it a packet is.
	timestamp uint32
	marker    bool // the key's first packet
}

func newDigitSender() digitSender {
	return digitSender{queue: make(chan byte, digitQueue)}
}

// add queues a key press. Only keys that have an event are taken: the
// tick has no one to tell about a bad one.
func (d *digitSender) add(r rune) error {
	if r < 0 || r > 0x7f {
		return fmt.Errorf("rtpsession: %q: %w", r, dtmf.ErrUnknownDigit)
	}
	if _, err := dtmf.EventFor(byte(r)); err != nil {
		return fmt.Errorf("rtpsession: %q: %w", r, err)
	}
	select {
	case d.queue <- byte(r):
		return nil
	default:
		return ErrDigitQueueFull
	}
}

// next returns the event of the tick whose audio would carry timestamp ts,
// and false if the tick carries audio. A key that reaches the head of the
// queue while the phone takes no telephone-event (negotiated false, after a
// re-INVITE) is dropped.
func (d *digitSender) next(ts uint32, negotiated bool) (digitPacket, bool) {
	if d.ticks == 0 {
		if d.gap > 0 {
			d.gap--
			return digitPacket{}, false
		}
		select {
		case k := <-d.queue:
			if !negotiated {
				return digitPacket{}, false
			}
			d.key, _ = dtmf.EventFor(k)
			d.start = ts
		default:
			return digitPacket{}, false
		}
	}
	d.ticks++
	p := digitPacket{event: d.key, timestamp: d.start, marker: d.ticks == 1}
	p.event.Duration = uint16(min(d.ticks, digitTicks) * audio.NarrowbandFrameSamples)
	p.event.End = d.ticks > digitTicks
	if d.ticks == digitTicks+endRepeats {
		d.ticks, d.gap = 0, digitGapTicks
	}
	return p, true
}
