package dtmf

import "errors"

// ErrPINTooLong is returned when more digits were keyed than a PIN holds.
var ErrPINTooLong = errors.New("dtmf: PIN too long")

// PIN collects keyed digits until '#'. '*' starts over, the convention
// callers expect from phone menus.
type PIN struct {
	buf      []byte
	max      int
	overflow bool
}

// NewPIN returns a collector for PINs of at most maxLen digits.
func NewPIN(maxLen int) *PIN {
	return &PIN{buf: make([]byte, 0, maxLen), max: maxLen}
}

// Feed adds one key. On '#' it returns the digits entered since the last
// '#' or '*', done set, and starts a new entry; the caller checks the PIN.
// Letters A-D are ignored: no one can be asked to type them.
func (p *PIN) Feed(digit byte) (pin string, done bool, err error) {
	switch {
	case digit == '#':
		pin, overflow := string(p.buf), p.overflow
		p.Clear()
		if overflow {
			return "", true, ErrPINTooLong
		}
		return pin, true, nil
	case digit == '*':
		p.Clear()
	case digit >= '0' && digit <= '9':
		if len(p.buf) == p.max {
			p.overflow = true
			return "", false, nil
		}
		p.buf = append(p.buf, digit)
	}
	return "", false, nil
}

// Len is how many digits are entered so far.
func (p *PIN) Len() int {
	return len(p.buf)
}

// Clear drops what was entered.
func (p *PIN) Clear() {
	p.buf = p.buf[:0]
	p.overflow = false
}
