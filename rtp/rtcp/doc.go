// Package rtcp is the RTP Control Protocol (RFC 3550) of a phone leg: the
// receiver-side bookkeeping that reports need (sequence tracking and loss,
// appendix A.1 and A.3), building the compound SR or RR the gateway sends,
// reading the phone's reports without trusting them, and turning what both
// sides measured into an E-model MOS estimate (ITU-T G.107).
//
// It owns no socket and starts no goroutine: rtpsession sends what Build
// returns and hands Parse what arrives, every few seconds.
package rtcp
