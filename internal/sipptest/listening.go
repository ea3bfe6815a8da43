package sipptest

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Socket states in /proc/net/{udp,tcp}: an unconnected UDP socket and a TCP
// listener.
const (
	stateUDPUnconnected = "07"
	stateTCPListen      = "0A"
)

// listening tells whether some process has a UDP socket bound to port, or a
// TCP listener on it. It reads the kernel's tables instead of probing with
// a bind, which could steal the port from sipp while it starts.
func listening(network string, port int) (bool, error) {
	state := stateUDPUnconnected
	if network == "tcp" {
		state = stateTCPListen
	}
	for _, f := range []string{"/proc/net/" + network, "/proc/net/" + network + "6"} {
		ok, err := tableHas(f, port, state)
		if err != nil && !os.IsNotExist(err) {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func tableHas(file string, port int, state string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // column titles
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[3] != state {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err == nil && int(p) == port {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("reading %s: %w", file, err)
	}
	return false, nil
}
