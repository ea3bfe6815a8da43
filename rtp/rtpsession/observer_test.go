package rtpsession

import "testing"

func TestDropReasonNames(t *testing.T) {
	seen := map[string]DropReason{}
	for r := DropMalformed; r <= DropSRTPReplay; r++ {
		name := r.String()
		if name == "unknown" || name == "" {
			t.Errorf("reason %d has no name", r)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("reasons %d and %d share the name %q", prev, r, name)
		}
		seen[name] = r
	}
	if got := (DropSRTPReplay + 1).String(); got != "unknown" {
		t.Errorf("out-of-range reason named %q", got)
	}
}
