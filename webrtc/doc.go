// Package webrtc answers app participants' WebRTC audio offers and carries
// their audio to and from a room mixer.
//
// Every session shares one UDP port through ICE's UDP mux, so a gateway
// behind a firewall opens one port for all of its app audio, the way it
// opens one for SIP. A Session is a mixer.Endpoint: the tick pulls one
// decoded frame from it and pushes one frame to it, both without waiting on
// the network; decoding happens as packets arrive, encoding on the
// session's own sender, so a room's tick costs the same per app participant
// as per phone.
//
// The package knows nothing of conferences: what a session may join, and
// which room hears it, is the conference's business.
package webrtc
