package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sippStats is sipp's -trace_stat file: a header row naming the columns, then
// one row every -fd seconds and a last one when sipp ends. The (C) columns
// are cumulative, (P) ones cover the period since the row before.
type sippStats struct {
	cols map[string]int
	rows [][]string
}

func readSippStats(path string) (*sippStats, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseSippStats(string(b))
}

// parseSippStats keeps whole rows only: sipp may be writing the file while
// it is read.
func parseSippStats(text string) (*sippStats, error) {
	lines := strings.Split(text, "\n")
	if !strings.HasSuffix(text, "\n") {
		lines = lines[:len(lines)-1]
	}
	st := &sippStats{cols: map[string]int{}}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		f := strings.Split(l, ";")
		if len(st.cols) == 0 {
			for i, name := range f {
				st.cols[strings.TrimSpace(name)] = i
			}
			continue
		}
		st.rows = append(st.rows, f)
	}
	if len(st.cols) == 0 {
		return nil, fmt.Errorf("sipp stats: no header")
	}
	return st, nil
}

// value is column col of row i (negative from the end) as a string.
func (s *sippStats) value(i int, col string) (string, error) {
	k, ok := s.cols[col]
	if !ok {
		return "", fmt.Errorf("sipp stats: no column %q", col)
	}
	if i < 0 {
		i += len(s.rows)
	}
	if i < 0 || i >= len(s.rows) {
		return "", fmt.Errorf("sipp stats: no row %d", i)
	}
	if k >= len(s.rows[i]) {
		return "", fmt.Errorf("sipp stats: short row %d", i)
	}
	return strings.TrimSpace(s.rows[i][k]), nil
}

func (s *sippStats) int(i int, col string) (int, error) {
	v, err := s.value(i, col)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// last is the cumulative counter col as of the last row; 0 with no rows.
func (s *sippStats) last(col string) (int, error) {
	if len(s.rows) == 0 {
		return 0, nil
	}
	return s.int(-1, col)
}

// seconds reads an elapsed-time cell: "HH:MM:SS" or "HH:MM:SS:micros".
func (s *sippStats) seconds(i int, col string) (float64, error) {
	v, err := s.value(i, col)
	if err != nil {
		return 0, err
	}
	return parseSippDuration(v)
}

func parseSippDuration(v string) (float64, error) {
	f := strings.Split(v, ":")
	if len(f) != 3 && len(f) != 4 {
		return 0, fmt.Errorf("sipp duration %q", v)
	}
	var n [4]int
	for i, p := range f {
		x, err := strconv.Atoi(p)
		if err != nil {
			return 0, fmt.Errorf("sipp duration %q: %w", v, err)
		}
		n[i] = x
	}
	return float64(n[0]*3600+n[1]*60+n[2]) + float64(n[3])/1e6, nil
}

// at reads the epoch seconds of the row's CurrentTime cell ("date\ttime\tepoch"):
// the elapsed-time columns only have whole seconds.
func (s *sippStats) at(i int) (float64, error) {
	v, err := s.value(i, "CurrentTime")
	if err != nil {
		return 0, err
	}
	f := strings.Split(v, "\t")
	return strconv.ParseFloat(strings.TrimSpace(f[len(f)-1]), 64)
}

// creationRate is the rate at which sipp placed calls while it was placing
// them: between the first row with a call and the last row before every call
// was placed. sipp's own cumulative rate also counts the tail where the last
// calls run out, which would understate the rate a generator kept up.
func (s *sippStats) creationRate(total int) (float64, error) {
	first, last := -1, -1
	for i := range s.rows {
		n, err := s.int(i, "OutgoingCall(C)")
		if err != nil {
			return 0, err
		}
		if n > 0 && first < 0 {
			first = i
		}
		if n > 0 && n < total {
			last = i
		}
	}
	if first < 0 || last <= first {
		return 0, fmt.Errorf("sipp stats: too few rows to time call creation")
	}
	n0, _ := s.int(first, "OutgoingCall(C)")
	n1, _ := s.int(last, "OutgoingCall(C)")
	t0, err := s.at(first)
	if err != nil {
		return 0, err
	}
	t1, err := s.at(last)
	if err != nil {
		return 0, err
	}
	if t1 <= t0 {
		return 0, fmt.Errorf("sipp stats: no time between rows")
	}
	return float64(n1-n0) / (t1 - t0), nil
}
