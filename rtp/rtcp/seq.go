package rtcp

// Sequence constants of RFC 3550 appendix A.1.
const (
	maxDropout    = 3000
	maxMisorder   = 100
	minSequential = 2
	seqMod        = 1 << 16
)

// Sequence follows the sequence numbers of the stream a leg receives, as
// RFC 3550 appendix A.1 does, to count what was expected and received for
// the loss figures of a report (appendix A.3). It is the receive path's:
// Update is a handful of integer operations and never allocates. The zero
// value waits for the first packet.
type Sequence struct {
	maxSeq    uint16
	cycles    uint32 // shifted count of sequence number wraps
	baseSeq   uint32
	badSeq    uint32
	probation int
	received  uint64
	started   bool

	// The state at the last report, for the fraction lost of an interval.
	expectedPrior uint64
	receivedPrior uint64
}

// Reset starts counting a new stream, as after an SSRC change, with its
// first packet, seq, counted: the receive path has already accepted the
// source, so the new stream is not put on probation. Call it in place of
// Update for that packet.
func (s *Sequence) Reset(seq uint16) {
	*s = Sequence{started: true}
	s.init(seq)
	s.received = 1
}

func (s *Sequence) init(seq uint16) {
	s.baseSeq = uint32(seq)
	s.maxSeq = seq
	s.badSeq = seqMod + 1 // so seq == badSeq is false
	s.cycles = 0
	s.received = 0
	s.receivedPrior = 0
	s.expectedPrior = 0
}

// Update counts a packet of sequence number seq and reports whether it is
// valid: a source on probation, or a jump the appendix calls a restart, is
// not counted until it proves itself.
func (s *Sequence) Update(seq uint16) bool {
	if !s.started {
		s.started = true
		s.init(seq)
		s.maxSeq = seq - 1
		s.probation = minSequential
	}
	udelta := seq - s.maxSeq
	if s.probation > 0 {
		// A packet in sequence moves probation on; any other restarts it.
		if seq == s.maxSeq+1 {
			s.probation--
			s.maxSeq = seq
			if s.probation == 0 {
				s.init(seq)
				s.received++
				return true
			}
		} else {
			s.probation = minSequential - 1
			s.maxSeq = seq
		}
		return false
	}
	switch {
	case udelta < maxDropout:
		if seq < s.maxSeq {
			s.cycles += seqMod
		}
		s.maxSeq = seq
	case udelta <= seqMod-maxMisorder:
		// A very large jump: believe it only if the next packet follows.
		if uint32(seq) == s.badSeq {
			s.init(seq)
		} else {
			s.badSeq = (uint32(seq) + 1) & (seqMod - 1)
			return false
		}
	default:
		// A duplicate or reordered packet: counted, the maximum stays.
	}
	s.received++
	return true
}

// Received is how many packets were counted.
func (s *Sequence) Received() uint64 { return s.received }

// ExtendedMax is the highest sequence number received, with its wraps in
// the top 16 bits.
func (s *Sequence) ExtendedMax() uint32 { return s.cycles + uint32(s.maxSeq) }

// Expected is how many packets the source sent, from the first counted to
// the highest, 0 before any was counted.
func (s *Sequence) Expected() uint64 {
	if s.received == 0 {
		return 0
	}
	return uint64(s.ExtendedMax()) - uint64(s.baseSeq) + 1
}

// Lost is the cumulative number of packets lost, as a report carries it:
// negative when duplicates outnumber losses.
func (s *Sequence) Lost() int64 { return int64(s.Expected()) - int64(s.received) }

// Interval returns the fraction lost since the previous call, in the 8-bit
// fixed point of a report block (256 is all), and starts the next interval.
func (s *Sequence) Interval() uint8 {
	expected, received := s.Expected(), s.received
	expInt := int64(expected) - int64(s.expectedPrior)
	recInt := int64(received) - int64(s.receivedPrior)
	s.expectedPrior, s.receivedPrior = expected, received
	lost := expInt - recInt
	if expInt <= 0 || lost <= 0 {
		return 0
	}
	return uint8(min((lost<<8)/expInt, 255))
}
