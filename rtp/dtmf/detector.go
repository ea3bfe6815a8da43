package dtmf

// Detector turns telephone-event packets into digits. RFC 4733 senders repeat
// every packet of an event under one RTP timestamp and send the end packet
// three times, so the timestamp, not the packet, identifies a key press.
type Detector struct {
	current  uint32 // timestamp of the event being received
	digit    byte   // its key
	active   bool   // an event is under way
	reported bool   // its digit has been handed out

	// recent holds timestamps of the last events reported, so that an end
	// packet reordered behind the next event's first packet is not taken
	// for a new key press.
	recent [4]uint32
	nrec   int
}

// Feed takes one telephone-event packet with its RTP timestamp and appends to
// dst the digits it completes. A digit completes on its event's first end
// packet; if every end packet was lost, it completes when the next event
// begins instead, so a press is late rather than missed.
func (d *Detector) Feed(dst []byte, ts uint32, e Event) []byte {
	if d.active && ts == d.current {
		if e.End && !d.reported {
			d.reported = true
			dst = append(dst, d.digit)
			d.remember(ts)
		}
		return dst
	}
	if d.seen(ts) {
		return dst
	}
	if d.active && !d.reported {
		dst = append(dst, d.digit)
		d.remember(d.current)
	}
	d.current, d.digit, d.active, d.reported = ts, e.Digit(), true, false
	if e.End {
		d.reported = true
		dst = append(dst, d.digit)
		d.remember(ts)
	}
	return dst
}

// Reset forgets the event under way, as when the stream restarts.
func (d *Detector) Reset() {
	*d = Detector{}
}

func (d *Detector) seen(ts uint32) bool {
	for i := range d.nrec {
		if d.recent[i] == ts {
			return true
		}
	}
	return false
}

func (d *Detector) remember(ts uint32) {
	copy(d.recent[1:], d.recent[:len(d.recent)-1])
	d.recent[0] = ts
	d.nrec = min(d.nrec+1, len(d.recent))
}
