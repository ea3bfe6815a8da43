// Package rtppcap writes libpcap captures of RTP streams for sipp to replay
// with play_pcap_audio: a G.711 µ-law tone, optionally interrupted by RFC 4733
// key presses.
//
// sipp keeps only the UDP part of each packet and sends it from its own media
// port to the port the far end's SDP names, pacing packets by their capture
// timestamps. The addresses written here are therefore placeholders; only the
// timing and the RTP inside count.
package rtppcap

//go:generate go run ../../cmd/rtppcap -dir ../../testdata/sipp
