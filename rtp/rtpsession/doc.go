// Package rtpsession carries one phone leg's audio between its RTP socket
// and a room mixer.
//
// A Session runs one receive goroutine (Run) that parses packets, follows the
// phone's real source address (symmetric RTP), routes telephone-events to the
// DTMF detector and audio to a jitter buffer, which places it by RTP
// timestamp so that phones may send 10 to 60 ms per packet whatever ptime the
// SDP said (the session itself sends 20 ms). The mixer's tick pulls one
// decoded frame per 20 ms with ReadFrame and pushes one with WriteFrame; both
// are allocation-free and never wait on the network, so a slow or vanished
// phone cannot stall the room.
//
// Ports hands out the even UDP ports that SDP advertises for media.
package rtpsession
