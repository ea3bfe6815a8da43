// Package g711 converts between 16-bit linear PCM and G.711 µ-law (PCMU) and
// A-law (PCMA), the codecs every SIP phone and PSTN trunk speaks.
//
// Conversions go through lookup tables built once at start-up: a room tick
// encodes and decodes every leg's 20 ms, so per-sample work must be a single
// load and nothing may allocate. Encoding follows the ITU-T G.191 reference
// (one's complement of negative samples), which keeps the quantiser
// symmetric around zero.
package g711
