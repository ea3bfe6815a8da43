package recording

import (
	"bytes"
	"encoding/binary"
	"errors"
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

// errMalformed marks a file in the store that is not a WAV this package
// wrote: it is neither listed nor served.
var errMalformed = errors.New("recording: not a recording's WAV file")

// wholeData is how much of a file of size bytes a header can describe: its
// audio past the header, cut to whole samples and to what 32 bits can size.
func wholeData(size int64) int64 {
	return min(max(size-headerSize, 0)/blockAlign*blockAlign, maxData)
}

// inspect checks what a file of size bytes begins with, h, against the
// header this package writes. ok says its sizes describe exactly the file;
// otherwise a repair makes the file headerSize+wholeData(size) long with
// sizes to match. A file shorter than a header that begins as one is a
// recording cut before its first frame.
func inspect(h []byte, size int64) (ok bool, err error) {
	empty := header(0)
	if size < headerSize {
		if !bytes.Equal(h[:size], empty[:size]) {
			return false, errMalformed
		}
		return false, nil
	}
	// Everything but the two sizes is fixed.
	if !bytes.Equal(h[:4], empty[:4]) || !bytes.Equal(h[8:40], empty[8:40]) {
		return false, errMalformed
	}
	data := wholeData(size)
	le := binary.LittleEndian
	return size == headerSize+data && le.Uint32(h[4:]) == uint32(headerSize-8+data) && le.Uint32(h[40:]) == uint32(data), nil
}
