package main

import (
	"strings"
	"testing"
)

// A trimmed -trace_stat file: sipp writes more columns, in this order.
const sippCSV = "StartTime;CurrentTime;ElapsedTime(C);OutgoingCall(C);TotalCallCreated;CurrentCall;SuccessfulCall(C);FailedCall(C);ResponseTime1(C);\n" +
	"2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:00.000000\t1767261600.000000;00:00:00;0;0;0;0;0;00:00:00:000000;\n" +
	"2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:01.000000\t1767261601.000000;00:00:01;100;100;100;0;0;00:00:00:001500;\n" +
	"2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:02.000000\t1767261602.000000;00:00:02;300;300;250;50;0;00:00:00:001700;\n" +
	"2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:03.000000\t1767261603.000000;00:00:03;500;500;300;200;0;00:00:00:001900;\n" +
	"2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:04.500000\t1767261604.500000;00:00:04;600;600;0;598;2;00:00:00:002000;\n"

func TestSippStats(t *testing.T) {
	st, err := parseSippStats(sippCSV)
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]int{"SuccessfulCall(C)": 598, "FailedCall(C)": 2, "CurrentCall": 0, "TotalCallCreated": 600} {
		if got, err := st.last(col); err != nil || got != want {
			t.Errorf("last(%s) = %d, %v; want %d", col, got, err, want)
		}
	}
	if _, err := st.last("NoSuchColumn"); err == nil {
		t.Error("an unknown column was read")
	}
	if s, err := st.seconds(-1, "ResponseTime1(C)"); err != nil || s != 0.002 {
		t.Errorf("response time %g, %v", s, err)
	}
	// 400 calls between the rows at 1 s and 3 s; the row where all 600 were
	// placed is left out, its period partly idle.
	if r, err := st.creationRate(600); err != nil || r != 200 {
		t.Errorf("creation rate %g, %v; want 200", r, err)
	}
}

func TestSippStatsPartialRow(t *testing.T) {
	// sipp may be half-way through writing a row.
	text := sippCSV + "2026-01-01\t10:00:00.000000\t1767261600.000000;2026-01-01\t10:00:05"
	st, err := parseSippStats(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.rows) != 5 {
		t.Fatalf("%d rows, want the 5 whole ones", len(st.rows))
	}
	empty, err := parseSippStats(strings.SplitAfter(sippCSV, "\n")[0])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := empty.last("CurrentCall"); err != nil || n != 0 {
		t.Errorf("a file with no rows yet: %d, %v", n, err)
	}
	if _, err := parseSippStats(""); err == nil {
		t.Error("an empty file parsed")
	}
}

func TestParseSippDuration(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"00:00:08", 8, true},
		{"01:02:03", 3723, true},
		{"00:00:00:001500", 0.0015, true},
		{"00:01:00:500000", 60.5, true},
		{"8", 0, false},
		{"00:xx:00", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSippDuration(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("%q: %g, %v; want %g", tt.in, got, err, tt.want)
		}
	}
}

func TestSippVersionRE(t *testing.T) {
	m := sippVersionRE.FindStringSubmatch("\n SIPp v3.6.1-SCTP-PCAP-RTPSTREAM.\n")
	if m == nil || m[1] != "3.6.1-SCTP-PCAP-RTPSTREAM." {
		t.Fatalf("%q", m)
	}
}
