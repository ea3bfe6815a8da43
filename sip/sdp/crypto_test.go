package sdp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// testKey is 30 bytes of key and salt, base64: RFC 4568's own example.
const testKey = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

func TestParseCryptoReadsWhatPhonesSend(t *testing.T) {
	key, _ := base64.StdEncoding.DecodeString(testKey)
	tests := []struct {
		name string
		line string
		want Crypto
	}{
		{"bare key", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, Crypto{Tag: 1, Suite: SuiteAES80, Key: key}},
		{"short tag suite", "2 AES_CM_128_HMAC_SHA1_32 inline:" + testKey, Crypto{Tag: 2, Suite: SuiteAES32, Key: key}},
		{"lifetime as a power of two", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^20", Crypto{Tag: 1, Suite: SuiteAES80, Key: key}},
		{"decimal lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1048576", Crypto{Tag: 1, Suite: SuiteAES80, Key: key}},
		{"lifetime and MKI", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^31|1:4", Crypto{Tag: 1, Suite: SuiteAES80, Key: key, MKI: []byte{0, 0, 0, 1}}},
		{"MKI alone", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|258:2", Crypto{Tag: 1, Suite: SuiteAES80, Key: key, MKI: []byte{1, 2}}},
		{"window size hint", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " WSH=128", Crypto{Tag: 1, Suite: SuiteAES80, Key: key}},
		{"key without padding", "1 AES_CM_128_HMAC_SHA1_80 inline:" + strings.TrimRight(testKey, "="), Crypto{Tag: 1, Suite: SuiteAES80, Key: key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCrypto(tt.line)
			if err != nil {
				t.Fatalf("ParseCrypto: %v", err)
			}
			if got.Tag != tt.want.Tag || got.Suite != tt.want.Suite || !bytes.Equal(got.Key, tt.want.Key) || !bytes.Equal(got.MKI, tt.want.MKI) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCryptoRefusesWhatItCannotUse(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 29))
	long := base64.StdEncoding.EncodeToString(make([]byte, 46)) // an AES-256 key and salt
	tests := []struct {
		name string
		line string
		err  error
	}{
		{"nothing", "", ErrMalformed},
		{"no key", "1 AES_CM_128_HMAC_SHA1_80", ErrMalformed},
		{"tag not a number", "x AES_CM_128_HMAC_SHA1_80 inline:" + testKey, ErrMalformed},
		{"tag of ten digits", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, ErrMalformed},
		{"negative tag", "-1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, ErrMalformed},
		{"unknown suite", "1 AES_256_CM_HMAC_SHA1_80 inline:" + long, ErrNoCommonCrypto},
		{"GCM suite", "1 AEAD_AES_128_GCM inline:" + testKey, ErrNoCommonCrypto},
		{"not inline", "1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key", ErrMalformed},
		{"bad base64", "1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64!!!", ErrMalformed},
		{"key too short", "1 AES_CM_128_HMAC_SHA1_80 inline:" + short, ErrMalformed},
		{"key too long", "1 AES_CM_128_HMAC_SHA1_80 inline:" + long, ErrMalformed},
		{"lifetime not a number", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|forever", ErrMalformed},
		{"lifetime of zero", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|0", ErrMalformed},
		{"lifetime past 2^48", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^64", ErrMalformed},
		{"lifetime after the MKI", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:4|2^20", ErrMalformed},
		{"MKI length not a number", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:x", ErrMalformed},
		{"MKI value over its length", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|256:1", ErrMalformed},
		{"MKI too long for us", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:16", ErrNoCommonCrypto},
		{"too many key parameters", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^20|1:4|x", ErrMalformed},
		{"two keys", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:4;inline:" + testKey + "|2:4", ErrNoCommonCrypto},
		{"unencrypted SRTP", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " UNENCRYPTED_SRTP", ErrNoCommonCrypto},
		{"key derivation rate", "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " KDR=10", ErrNoCommonCrypto},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCrypto(tt.line)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseCrypto = %+v, %v; want %v", c, err, tt.err)
			}
			if strings.Contains(err.Error(), testKey[:8]) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error text %q echoes the input", err)
			}
		})
	}
}

func TestASecureOfferIsAnsweredWithTheFirstUsableSuiteAndAFreshKey(t *testing.T) {
	o, err := ParseOffer(offerOf("m=audio 4000 RTP/SAVP 0 101",
		"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:"+base64.StdEncoding.EncodeToString(make([]byte, 46)),
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"+testKey,
		"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:"+testKey,
		"a=rtpmap:101 telephone-event/8000"))
	if err != nil {
		t.Fatal(err)
	}
	if !o.Secure || len(o.Crypto) != 2 {
		t.Fatalf("secure %v with %d usable crypto lines, want true and 2", o.Secure, len(o.Crypto))
	}
	p, err := Negotiate(o, Supported)
	if err != nil {
		t.Fatal(err)
	}
	if p.SRTP == nil || p.SRTP.Tag != 2 || p.SRTP.Suite != SuiteAES32 || len(p.SRTP.Local) != KeyLen || bytes.Equal(p.SRTP.Local, p.SRTP.Remote) {
		t.Fatalf("keys %+v", p.SRTP)
	}
	answer, err := NewSession("confgw").BuildAnswer(Local{Addr: netip.MustParseAddr("192.0.2.10"), Port: 30000}, o, p)
	if err != nil {
		t.Fatal(err)
	}
	want := "m=audio 30000 RTP/SAVP 0 101\r\n"
	line := "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + base64.StdEncoding.EncodeToString(p.SRTP.Local) + "\r\n"
	if !strings.Contains(string(answer), want) || !strings.Contains(string(answer), line) || strings.Count(string(answer), "a=crypto") != 1 {
		t.Fatalf("answer lacks %q or %q:\n%s", want, line, answer)
	}
	if p.SRTP.String() != "SRTP "+SuiteAES32 {
		t.Fatalf("keys print as %q", p.SRTP.String())
	}
}

func TestASecureOfferWithOnlyUnknownSuitesHasNoCommonCrypto(t *testing.T) {
	o, err := ParseOffer(offerOf("m=audio 4000 RTP/SAVP 0",
		"a=crypto:1 AEAD_AES_256_GCM inline:"+base64.StdEncoding.EncodeToString(make([]byte, 44)),
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:bm90IGEga2V5"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Negotiate(o, Supported); !errors.Is(err, ErrNoCommonCrypto) {
		t.Fatalf("Negotiate: %v, want ErrNoCommonCrypto", err)
	}
}

func TestCryptoOnAnRTPLineIsIgnored(t *testing.T) {
	o, err := ParseOffer(offerOf("m=audio 4000 RTP/AVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+testKey))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Negotiate(o, Supported)
	if err != nil || o.Secure || p.SRTP != nil {
		t.Fatalf("secure %v, keys %v, err %v: want RTP in the clear", o.Secure, p.SRTP, err)
	}
}

func TestASecureSessionOffersBothSuitesAndHoldsTheAnswerToThem(t *testing.T) {
	s := NewSession("confgw")
	s.SRTP = true
	local := Local{Addr: netip.MustParseAddr("192.0.2.10"), Port: 30000}
	offer, err := s.BuildOffer(local, SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Secure || len(o.Crypto) != 2 || o.Crypto[0].Suite != SuiteAES80 || o.Crypto[1].Suite != SuiteAES32 {
		t.Fatalf("our offer: secure %v, crypto %d lines\n%s", o.Secure, len(o.Crypto), offer)
	}
	again, _ := s.BuildOffer(local, SendRecv)
	if o2, _ := ParseOffer(again); !bytes.Equal(o2.Crypto[0].Key, o.Crypto[0].Key) {
		t.Fatal("a re-offer changed our key")
	}

	// The callee takes the 32-bit tag's line.
	cp := *o
	callee := &cp
	callee.Crypto = o.Crypto[1:]
	p, err := Negotiate(callee, Supported)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := NewSession("callee").BuildAnswer(Local{Addr: netip.MustParseAddr("192.0.2.20"), Port: 40000}, callee, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadAnswer(answer)
	if err != nil {
		t.Fatal(err)
	}
	if got.SRTP == nil || got.SRTP.Suite != SuiteAES32 || !bytes.Equal(got.SRTP.Local, o.Crypto[1].Key) || !bytes.Equal(got.SRTP.Remote, p.SRTP.Local) {
		t.Fatalf("keys from the answer: %+v", got.SRTP)
	}

	plain, _ := NewSession("callee").BuildAnswer(local, &Offer{}, Params{Codec: Supported[0]})
	if _, err := s.ReadAnswer(plain); !errors.Is(err, ErrUnsupportedTransport) {
		t.Fatalf("an RTP answer to our SRTP offer: %v", err)
	}
	forged := strings.Replace(string(answer), "a=crypto:2 ", "a=crypto:7 ", 1)
	if _, err := s.ReadAnswer([]byte(forged)); !errors.Is(err, ErrNoCommonCrypto) {
		t.Fatalf("an answer choosing a tag never offered: %v", err)
	}
	if _, err := NewSession("plain").ReadAnswer(answer); !errors.Is(err, ErrUnsupportedTransport) {
		t.Fatalf("an SRTP answer to an RTP offer: %v", err)
	}
}

func TestKeysCompareAndPrintWithoutTheirSecrets(t *testing.T) {
	a := &Keys{Suite: SuiteAES80, Local: newKey(), Remote: newKey()}
	b := *a
	if !a.Equal(&b) || a.Equal(nil) || !(*Keys)(nil).Equal(nil) {
		t.Fatal("Equal is wrong")
	}
	b.Remote = newKey()
	if a.Equal(&b) {
		t.Fatal("keys with another remote key are equal")
	}
	if s := a.String(); strings.Contains(s, base64.StdEncoding.EncodeToString(a.Local)) || s != "SRTP "+SuiteAES80 {
		t.Fatalf("keys print as %q", s)
	}
}
