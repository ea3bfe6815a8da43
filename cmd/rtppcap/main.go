// Command rtppcap writes the RTP captures the sipp scenarios of
// testdata/sipp replay; go generate in internal/rtppcap runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/confgw/confgw/internal/rtppcap"
)

func main() {
	dir := flag.String("dir", "testdata/sipp", "directory to write the captures into")
	flag.Parse()
	if err := rtppcap.Generate(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "rtppcap:", err)
		os.Exit(1)
	}
}
