package sdp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	pion "github.com/pion/sdp/v3"
)

// The SRTP crypto suites of RFC 4568 the gateway speaks, both AES in
// counter mode with a 128-bit key and HMAC-SHA1, differing in the length
// of the authentication tag (80 or 32 bits).
const (
	SuiteAES80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES32 = "AES_CM_128_HMAC_SHA1_32"
)

// suites is what we offer, in our order of preference: the 80-bit tag is
// the one every SDES phone must have.
var suites = []string{SuiteAES80, SuiteAES32}

// KeyLen is the length of an inline key of either suite: a 16-byte master
// key followed by a 14-byte master salt.
const KeyLen = 30

// maxMKILen bounds the master key identifier a peer may put on its
// packets: RFC 4568 allows up to 128 bytes, phones use one to four.
const maxMKILen = 4

// Crypto is one a=crypto line (RFC 4568): a key offered for a suite, under
// the tag the answer refers to it by.
type Crypto struct {
	Tag   int
	Suite string
	// Key is the master key followed by the master salt, KeyLen bytes.
	Key []byte
	// MKI is the master key identifier the peer appends to each packet
	// protected with Key, or nil when it sends none.
	MKI []byte
}

// Keys is what SDES negotiated for a secure leg: one suite, and the key
// each side protects its own packets with.
type Keys struct {
	// Tag and Suite are the offer's a=crypto line the answer took.
	Tag   int
	Suite string
	// Local is our master key and salt, sent in our a=crypto line.
	Local []byte
	// Remote is the peer's master key and salt, and RemoteMKI the key
	// identifier on its packets, if it sends one.
	Remote    []byte
	RemoteMKI []byte
}

// String keeps keys out of logs, whatever formats them.
func (k *Keys) String() string {
	if k == nil {
		return "RTP"
	}
	return "SRTP " + k.Suite
}

// Equal reports whether k and o protect media alike.
func (k *Keys) Equal(o *Keys) bool {
	if k == nil || o == nil {
		return k == o
	}
	return k.Suite == o.Suite && bytes.Equal(k.Local, o.Local) &&
		bytes.Equal(k.Remote, o.Remote) && bytes.Equal(k.RemoteMKI, o.RemoteMKI)
}

// newKey draws a master key and salt.
func newKey() []byte {
	k := make([]byte, KeyLen)
	rand.Read(k)
	return k
}

func supportedSuite(s string) bool {
	for _, v := range suites {
		if v == s {
			return true
		}
	}
	return false
}

// parseCryptos reads the m-line's a=crypto lines the gateway can use, in
// the peer's order. A line of a suite we do not speak, or one we cannot
// read, is passed over as RFC 4568 section 7.1.1 lets an answerer do:
// another line may still be usable.
func parseCryptos(attrs []pion.Attribute) []Crypto {
	var out []Crypto
	for _, a := range attrs {
		if a.Key != "crypto" {
			continue
		}
		if c, err := ParseCrypto(a.Value); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// ParseCrypto reads the value of an a=crypto attribute,
// "<tag> <suite> inline:<key||salt>[|<lifetime>][|<MKI>:<length>] [<session params>]",
// for one of the suites we speak. It refuses more than one key, and any
// session parameter other than the window size hint: each changes how
// packets are protected in a way the gateway does not implement. The
// key lifetime is read but not enforced; a call would have to run for
// months to reach the largest, and the gateway neither rekeys nor hangs up.
func ParseCrypto(v string) (Crypto, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return Crypto{}, fmt.Errorf("%w: crypto attribute lacks a tag, suite or key", ErrMalformed)
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || len(f[0]) > 9 {
		return Crypto{}, fmt.Errorf("%w: crypto tag is not a number of up to 9 digits", ErrMalformed)
	}
	c := Crypto{Tag: tag, Suite: f[1]}
	if !supportedSuite(c.Suite) {
		return Crypto{}, fmt.Errorf("%w: crypto suite not supported", ErrNoCommonCrypto)
	}
	for _, p := range f[3:] {
		if !strings.HasPrefix(p, "WSH=") {
			return Crypto{}, fmt.Errorf("%w: crypto session parameter not supported", ErrNoCommonCrypto)
		}
	}
	if strings.Contains(f[2], ";") {
		return Crypto{}, fmt.Errorf("%w: more than one crypto key", ErrNoCommonCrypto)
	}
	method, info, ok := strings.Cut(f[2], ":")
	if !ok || method != "inline" {
		return Crypto{}, fmt.Errorf("%w: crypto key is not inline", ErrMalformed)
	}
	parts := strings.Split(info, "|")
	if len(parts) > 3 {
		return Crypto{}, fmt.Errorf("%w: crypto key has too many parameters", ErrMalformed)
	}
	if c.Key, err = decodeKey(parts[0]); err != nil {
		return Crypto{}, err
	}
	for _, p := range parts[1:] {
		if mki, length, isMKI := strings.Cut(p, ":"); isMKI {
			if c.MKI, err = parseMKI(mki, length); err != nil {
				return Crypto{}, err
			}
			continue
		}
		if c.MKI != nil || !validLifetime(p) {
			// The lifetime, if any, comes before the MKI.
			return Crypto{}, fmt.Errorf("%w: crypto key lifetime is not a number", ErrMalformed)
		}
	}
	return c, nil
}

// decodeKey reads base64 with or without its padding: RFC 4568 asks for
// it, and a 30-byte key needs none, but some phones drop it from keys of
// other lengths and it costs nothing to be lenient.
func decodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		k, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: crypto key is not base64", ErrMalformed)
	}
	if len(k) != KeyLen {
		return nil, fmt.Errorf("%w: crypto key is not %d bytes of key and salt", ErrMalformed, KeyLen)
	}
	return k, nil
}

// validLifetime accepts a key lifetime in packets, decimal or as 2^n.
func validLifetime(s string) bool {
	if exp, ok := strings.CutPrefix(s, "2^"); ok {
		n, err := strconv.Atoi(exp)
		return err == nil && n >= 1 && n <= 48 && len(exp) <= 2
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0
}

// parseMKI turns "<value>:<length>" into the length bytes the peer puts
// on its packets, the value big-endian.
func parseMKI(value, length string) ([]byte, error) {
	n, err := strconv.Atoi(length)
	if err != nil || len(length) > 3 || n < 1 {
		return nil, fmt.Errorf("%w: crypto MKI length is not a number", ErrMalformed)
	}
	if n > maxMKILen {
		return nil, fmt.Errorf("%w: crypto MKI longer than %d bytes", ErrNoCommonCrypto, maxMKILen)
	}
	v, err := strconv.ParseUint(value, 10, 8*n)
	if err != nil || len(value) > 10 {
		return nil, fmt.Errorf("%w: crypto MKI value does not fit its length", ErrMalformed)
	}
	mki := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		mki[i] = byte(v)
		v >>= 8
	}
	return mki, nil
}

// cryptoLine is the value of our a=crypto attribute for key under tag.
func cryptoLine(tag int, suite string, key []byte) string {
	return strconv.Itoa(tag) + " " + suite + " inline:" + base64.StdEncoding.EncodeToString(key)
}

// negotiateCrypto answers a secure offer: the first of the peer's lines
// we can use, and a fresh key of ours for it.
func negotiateCrypto(offer *Offer) (*Keys, error) {
	if len(offer.Crypto) == 0 {
		return nil, fmt.Errorf("%w: no offered crypto suite is supported", ErrNoCommonCrypto)
	}
	c := offer.Crypto[0]
	return &Keys{Tag: c.Tag, Suite: c.Suite, Local: newKey(), Remote: c.Key, RemoteMKI: c.MKI}, nil
}
