package loadgen

import (
	"testing"

	"github.com/confgw/confgw/internal/sipleak"
)

func TestMain(m *testing.M) { sipleak.VerifyTestMain(m) }
