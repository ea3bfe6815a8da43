package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux the harness runs on (reading it otherwise needs cgo).
const clockTicks = 100

// cpuSeconds is the user plus system time of every thread of pid so far.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15). The command name in
// field 2 may hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStatCPU(stat string) (float64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields", len(f)+2)
	}
	u, err := strconv.ParseUint(f[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat utime: %w", err)
	}
	s, err := strconv.ParseUint(f[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat stime: %w", err)
	}
	return float64(u+s) / clockTicks, nil
}

// memKiB returns VmRSS and VmHWM of pid in KiB.
func memKiB(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return parseStatusMem(f)
}

func parseStatusMem(r io.Reader) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("status %s: %w", k, err)
		}
		if k == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("status: no VmRSS")
	}
	return rss, hwm, nil
}

// udpOutDatagrams is the network namespace's count of UDP datagrams sent.
// sipp's caller replays audio through a raw socket, which this does not
// count, so over a window with sipp calling the echo server it counts the
// echo's replies plus a few SIP messages.
func udpOutDatagrams() (uint64, error) {
	f, err := os.Open("/proc/net/snmp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseSNMPUDPOut(f)
}

func parseSNMPUDPOut(r io.Reader) (uint64, error) {
	sc := bufio.NewScanner(r)
	var head []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "Udp:" {
			continue
		}
		if head == nil {
			head = f
			continue
		}
		for i, name := range head {
			if name == "OutDatagrams" && i < len(f) {
				return strconv.ParseUint(f[i], 10, 64)
			}
		}
		break
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("snmp: no Udp OutDatagrams")
}

// udpDrops is the drops counter of the IPv4 UDP socket bound to
// 127.0.0.1:port. sipp's callers never read their media socket, so once its
// buffer has filled (a fraction of a second at these rates) every RTP
// packet sent back to them is dropped there: the delta counts exactly what
// reached the callers, whichever server sent it and whatever else the
// machine does.
func udpDrops(port int) (uint64, error) {
	f, err := os.Open("/proc/net/udp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseUDPDrops(f, port)
}

func parseUDPDrops(r io.Reader, port int) (uint64, error) {
	want := fmt.Sprintf("0100007F:%04X", port)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 13 || f[1] != want {
			continue
		}
		return strconv.ParseUint(f[len(f)-1], 10, 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no UDP socket on 127.0.0.1:%d", port)
}
