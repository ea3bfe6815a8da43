package rtppcap

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Capture is one file of testdata/sipp.
type Capture struct {
	Name string
	Spec Spec
}

// PIN is the PIN of the conference the PIN scenarios call; dtmf_<PIN>#.pcap
// keys it.
const PIN = "4321"

// WrongPIN is keyed three times, a pause apart, by dtmf_wrong_pin_x3.pcap.
const WrongPIN = "1111"

// Captures lists the files the sipp scenarios play. They stay a few seconds
// long so the repository carries kilobytes, not megabytes.
func Captures() []Capture {
	wrong := WrongPIN + "#"
	return []Capture{
		{Name: "pcmu_1khz_3s.pcap", Spec: Spec{Audio: 3 * time.Second}},
		{Name: "dtmf_" + PIN + "#.pcap", Spec: Spec{Audio: 500 * time.Millisecond, Keys: PIN + "#"}},
		{Name: "dtmf_wrong_pin_x3.pcap", Spec: Spec{Audio: 500 * time.Millisecond, Keys: wrong + "," + wrong + "," + wrong}},
	}
}

// Encode returns the file's bytes.
func (c Capture) Encode() ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, c.Spec); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	return b.Bytes(), nil
}

// Generate writes every capture into dir.
func Generate(dir string) error {
	for _, c := range Captures() {
		b, err := c.Encode()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.Name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
