package conference

import (
	"strconv"
	"strings"
)

// Version is a client's dotted version, compared number by number so that
// 4.9 < 4.14 < 10.0 (a string comparison gets both wrong).
type Version struct {
	parts []int
	text  string
}

// ParseVersion accepts one to four dot-separated non-negative numbers.
func ParseVersion(s string) (Version, error) {
	fields := strings.Split(s, ".")
	if s == "" || len(fields) > 4 {
		return Version{}, errorf(CodeInvalid, "client_version %q is not a version like 4.14 or 4.14.2", s)
	}
	parts := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || len(f) > 6 || strings.Trim(f, "0123456789") != "" {
			return Version{}, errorf(CodeInvalid, "client_version %q is not a version like 4.14 or 4.14.2", s)
		}
		parts[i] = n
	}
	return Version{parts: parts, text: s}, nil
}

// MustVersion is for defaults fixed in code.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare returns -1, 0 or 1; missing trailing parts count as zero (4.14 == 4.14.0).
func (v Version) Compare(o Version) int {
	n := max(len(v.parts), len(o.parts))
	for i := range n {
		a, b := at(v.parts, i), at(o.parts, i)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
	}
	return 0
}

func at(p []int, i int) int {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func (v Version) String() string { return v.text }

// IsZero reports a version that was never set (phone participants have none).
func (v Version) IsZero() bool { return len(v.parts) == 0 }
