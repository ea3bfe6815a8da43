package sip

import "fmt"

const maxUserLen = 64

// checkUser accepts only what can stand unescaped as a SIP URI user part and
// carries no header syntax, so a number typed into an HTTP request can never
// smuggle a CRLF, a parameter or a second header into our INVITE.
func checkUser(user string) error {
	if user == "" || len(user) > maxUserLen {
		return fmt.Errorf("dial target must be 1 to %d characters: %w", maxUserLen, ErrInvalidTarget)
	}
	for i := 0; i < len(user); i++ {
		c := user[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c == '+' || c == '-' || c == '.' || c == '_' || c == '*' || c == '!' || c == '~':
		default:
			return fmt.Errorf("dial target %q: character %q is not allowed: %w", user, c, ErrInvalidTarget)
		}
	}
	return nil
}

// ValidateTarget tells whether to can be dialled through a trunk, so an API
// can refuse a bad number before it creates anything.
func ValidateTarget(to string) error { return checkUser(to) }
