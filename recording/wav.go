package recording

import (
	"encoding/binary"
	"math"

	"github.com/confgw/confgw/audio"
)

// The mix is recorded as 16-bit mono linear PCM at the wideband rate,
// whatever rate the room mixes at when: one file, one rate.
const (
	sampleRate    = audio.WidebandHz
	bitsPerSample = 16
	channels      = 1
	blockAlign    = channels * bitsPerSample / 8
	headerSize    = 44
	frameBytes    = audio.WidebandFrameSamples * blockAlign
	// maxData keeps the RIFF size within 32 bits (about 74 hours), in whole
	// frames so a capped file still ends on a frame boundary.
	maxData = (math.MaxUint32 - (headerSize - 8)) / frameBytes * frameBytes
)

// header returns a canonical 44-byte RIFF/WAVE header for dataBytes of PCM.
func header(dataBytes uint32) [headerSize]byte {
	var h [headerSize]byte
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], headerSize-8+dataBytes)
	copy(h[8:], "WAVE")
	copy(h[12:], "fmt ")
	le.PutUint32(h[16:], 16) // fmt chunk size for PCM
	le.PutUint16(h[20:], 1)  // PCM
	le.PutUint16(h[22:], channels)
	le.PutUint32(h[24:], sampleRate)
	le.PutUint32(h[28:], sampleRate*blockAlign)
	le.PutUint16(h[32:], blockAlign)
	le.PutUint16(h[34:], bitsPerSample)
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataBytes)
	return h
}

// durationMS is how long dataBytes of PCM play.
func durationMS(dataBytes int64) int64 {
	return dataBytes / blockAlign * 1000 / sampleRate
}
