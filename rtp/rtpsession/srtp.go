package rtpsession

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/transport/v5/replaydetector"
)

// SRTP keys a leg's media with SDES (RFC 4568): each side picks its own
// master key and salt and sends it to the other in its SDP.
type SRTP struct {
	// Profile is the crypto suite both sides agreed on:
	// srtp.ProtectionProfileAes128CmHmacSha1_80 or _32.
	Profile srtp.ProtectionProfile
	// LocalKey is the master key followed by the master salt that protect
	// what we send: the key of our own a=crypto line.
	LocalKey []byte
	// RemoteKey is the master key and salt the peer protects its packets
	// with, from its a=crypto line.
	RemoteKey []byte
	// RemoteMKI is the master key identifier the peer puts on each
	// packet, if its a=crypto line said so.
	RemoteMKI []byte
}

// replayWindow is how many packets back a late one is still taken: RFC
// 3711's minimum of 64 is 1.3 s of 20 ms packets, far more than the jitter
// buffer waits for anyway.
const replayWindow = 64

// maxSRTPIndex is the largest packet index, 48 bits of rollover counter and
// sequence number.
const maxSRTPIndex = 1<<48 - 1

// maxAuthTag is the longest authentication tag of the profiles we take,
// the room a packet needs to grow by when it is protected.
const maxAuthTag = 10

// srtpState is the protection of one keying, replaced whole when SDP
// rekeys: in belongs to the receive path (under rxMu), out to the sender.
type srtpState struct {
	in  *srtp.Context
	out *srtp.Context
	// rtcpIn and rtcpOut protect the leg's reports (SRTCP) with the same
	// keys. They are contexts of their own, used under rtcp.mu, because a
	// context serves one goroutine at a time and reports are read and
	// written beside the audio, not by it.
	rtcpIn, rtcpOut *srtp.Context

	hdr rtp.Header // out's header, reused so that sending allocates nothing
	// watch is set by in's replay detector when it refuses a packet's
	// index, the one way to tell a replay from a forgery among the errors
	// DecryptRTP returns.
	watch *bool
	inHdr rtp.Header
	keys  SRTP // what the contexts were made from
}

// ErrSRTPKey is returned for keys that do not fit the profile.
var ErrSRTPKey = errors.New("rtpsession: unusable SRTP key")

// newSRTPState makes the contexts for k. A direction whose key prev
// already uses keeps prev's context: a new one would restart its rollover
// counter at 0, which past 65,536 packets either encrypts with keystream
// already used or fails to decrypt anything the peer sends.
func newSRTPState(k *SRTP, prev *srtpState) (*srtpState, error) {
	keyLen, err := k.Profile.KeyLen()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
	}
	saltLen, err := k.Profile.SaltLen()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
	}
	if tag, err := k.Profile.AuthTagRTPLen(); err != nil || tag > maxAuthTag {
		return nil, fmt.Errorf("%w: profile %s", ErrSRTPKey, k.Profile)
	}
	if len(k.LocalKey) != keyLen+saltLen || len(k.RemoteKey) != keyLen+saltLen {
		return nil, fmt.Errorf("%w: %s wants %d bytes of key and salt", ErrSRTPKey, k.Profile, keyLen+saltLen)
	}
	st := &srtpState{keys: SRTP{Profile: k.Profile, LocalKey: bytes.Clone(k.LocalKey),
		RemoteKey: bytes.Clone(k.RemoteKey), RemoteMKI: bytes.Clone(k.RemoteMKI)}}
	samePeer := prev != nil && prev.keys.Profile == k.Profile &&
		bytes.Equal(prev.keys.RemoteKey, k.RemoteKey) && bytes.Equal(prev.keys.RemoteMKI, k.RemoteMKI)
	if samePeer {
		// The context's replay detectors flag prev; they go on doing so,
		// and the receive path reads the flag of whichever state it holds.
		st.in, st.watch, st.rtcpIn = prev.in, prev.watch, prev.rtcpIn
	} else {
		st.watch = new(bool)
		watch := st.watch
		opts := []srtp.ContextOption{srtp.SRTPReplayDetectorFactory(func() replaydetector.ReplayDetector {
			return &replayWatch{d: replaydetector.New(replayWindow, maxSRTPIndex), replayed: watch}
		})}
		if len(k.RemoteMKI) > 0 {
			opts = append(opts, srtp.MasterKeyIndicator(k.RemoteMKI))
		}
		if st.in, err = srtp.CreateContext(k.RemoteKey[:keyLen], k.RemoteKey[keyLen:], k.Profile, opts...); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
		}
		rtcpOpts := []srtp.ContextOption{srtp.SRTCPReplayProtection(replayWindow)}
		if len(k.RemoteMKI) > 0 {
			rtcpOpts = append(rtcpOpts, srtp.MasterKeyIndicator(k.RemoteMKI))
		}
		if st.rtcpIn, err = srtp.CreateContext(k.RemoteKey[:keyLen], k.RemoteKey[keyLen:], k.Profile, rtcpOpts...); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
		}
	}
	// The SRTCP index, like the rollover counter, must not restart under
	// the same key: the same index twice is keystream used twice.
	if prev != nil && prev.keys.Profile == k.Profile && bytes.Equal(prev.keys.LocalKey, k.LocalKey) {
		st.out, st.rtcpOut = prev.out, prev.rtcpOut
	} else {
		if st.out, err = srtp.CreateContext(k.LocalKey[:keyLen], k.LocalKey[keyLen:], k.Profile); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
		}
		if st.rtcpOut, err = srtp.CreateContext(k.LocalKey[:keyLen], k.LocalKey[keyLen:], k.Profile); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRTPKey, err)
		}
	}
	return st, nil
}

// replayWatch is the replay detector SRTP's receive context uses, noting
// each refusal so that a replay is counted apart from a forgery.
type replayWatch struct {
	d        replaydetector.ReplayDetector
	replayed *bool
}

func (w *replayWatch) Check(seq uint64) (func() bool, bool) {
	accept, ok := w.d.Check(seq)
	if !ok {
		*w.replayed = true
	}
	return accept, ok
}

// CheckSeq and Accept are the detector's allocation-free interface, which
// the context prefers.
func (w *replayWatch) CheckSeq(seq uint64) replaydetector.Token {
	t := w.d.(replaydetector.CheckAccepter).CheckSeq(seq)
	if !t.Passed() {
		*w.replayed = true
	}
	return t
}

func (w *replayWatch) Accept(t replaydetector.Token) bool {
	return w.d.(replaydetector.CheckAccepter).Accept(t)
}

// SetSRTP protects the media from now on with k, after SDP gave keys or
// changed them; nil sends and takes RTP in the clear. Packets protected
// with the old keys that are still on their way are dropped as forgeries.
// The same keys again, as a re-INVITE for hold repeats them, change
// nothing: a fresh context would restart the rollover counter and, past
// 65,536 packets, encrypt with keystream already used.
func (s *Session) SetSRTP(k *SRTP) error {
	if k == nil {
		s.srtp.Store(nil)
		return nil
	}
	if cur := s.srtp.Load(); cur != nil && cur.keys.Profile == k.Profile && bytes.Equal(cur.keys.LocalKey, k.LocalKey) &&
		bytes.Equal(cur.keys.RemoteKey, k.RemoteKey) && bytes.Equal(cur.keys.RemoteMKI, k.RemoteMKI) {
		return nil
	}
	st, err := newSRTPState(k, s.srtp.Load())
	if err != nil {
		return err
	}
	s.srtp.Store(st)
	// Never the keys: the log says only that media is protected, and how.
	s.log.Info("srtp keyed", "profile", k.Profile.String())
	return nil
}

// unprotect authenticates and decrypts one SRTP packet in place and
// returns the RTP packet in it. A packet that fails is dropped before
// anything else looks at it: a forged one must not latch the leg's
// address, move its sequence or count as the phone being alive.
func (s *Session) unprotect(st *srtpState, b []byte) ([]byte, bool) {
	*st.watch = false
	plain, err := st.in.DecryptRTP(b, b, &st.inHdr)
	if err == nil {
		return plain, true
	}
	switch {
	case *st.watch:
		s.drop(DropSRTPReplay)
	case errors.Is(err, srtp.ErrFailedToVerifyAuthTag):
		s.drop(DropSRTPAuth)
	default:
		// Too short for a header and a tag, not RTP at all, or an MKI
		// not the one signalled.
		s.drop(DropMalformed)
	}
	return nil, false
}

// protect encrypts and signs the RTP packet in b in place; b's capacity
// has room for the tag.
func (s *Session) protect(st *srtpState, b []byte) ([]byte, error) {
	return st.out.EncryptRTP(b, b, &st.hdr)
}
