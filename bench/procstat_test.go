package main

import (
	"strings"
	"testing"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want float64
		ok   bool
	}{
		{"plain", "1234 (confgw) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 100 0 0", 3.25, true},
		{"name with spaces and parentheses", "99 (a (b) c) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 0 0", 0.1, true},
		{"no name", "99 a R 1", 0, false},
		{"short", "99 (x) R 1 2 3", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStatCPU(tt.stat)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s: %g, %v; want %g", tt.name, got, err, tt.want)
		}
	}
}

func TestParseStatusMem(t *testing.T) {
	status := "Name:\tconfgw\nVmPeak:\t 1300000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   30720 kB\nThreads:\t12\n"
	rss, hwm, err := parseStatusMem(strings.NewReader(status))
	if err != nil || rss != 30720 || hwm != 40960 {
		t.Fatalf("rss %d hwm %d, %v", rss, hwm, err)
	}
	if _, _, err := parseStatusMem(strings.NewReader("Name:\tzombie\n")); err == nil {
		t.Fatal("a status without VmRSS was read")
	}
}

func TestParseSNMPUDPOut(t *testing.T) {
	snmp := "Ip: Forwarding DefaultTTL\nIp: 1 64\n" +
		"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdp: 100 2 3 4567 8\n" +
		"UdpLite: InDatagrams NoPorts InErrors OutDatagrams\nUdpLite: 0 0 0 9\n"
	got, err := parseSNMPUDPOut(strings.NewReader(snmp))
	if err != nil || got != 4567 {
		t.Fatalf("%d, %v", got, err)
	}
	if _, err := parseSNMPUDPOut(strings.NewReader("Ip: a\nIp: 1\n")); err == nil {
		t.Fatal("no Udp line was read")
	}
}

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC   7B13 64-Core Processor\nprocessor\t: 1\nmodel name\t: other\n"
	if got := cpuModel(strings.NewReader(info)); got != "AMD EPYC 7B13 64-Core Processor" {
		t.Fatalf("%q", got)
	}
}

func TestParseUDPDrops(t *testing.T) {
	udp := "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
		"  570: 0100007F:C159 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4344965 2 000000004e83c0d8 0\n" +
		" 5644: 0100007F:7532 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 4344966 2 00000000591e018c 123456\n" +
		" 5645: 00000000:7532 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4344967 2 00000000591e018d 9\n"
	got, err := parseUDPDrops(strings.NewReader(udp), 30002)
	if err != nil || got != 123456 {
		t.Fatalf("%d, %v", got, err)
	}
	if _, err := parseUDPDrops(strings.NewReader(udp), 30004); err == nil {
		t.Fatal("a port with no socket was read")
	}
}
