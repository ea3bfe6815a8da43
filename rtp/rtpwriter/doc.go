// Package rtpwriter numbers and marshals the packets of one outgoing RTP
// stream (RFC 3550). The gateway's sessions, the test phones and the load
// generator all send through it, so that what the load generator measures
// and what the tests check are headers built the way the gateway builds
// them.
package rtpwriter
