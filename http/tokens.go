package http

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"github.com/confgw/confgw/http/wire"
)

const tokenIssuer = "confgw"

// Tokens issues and checks participant tokens: HS256 JWTs naming a
// conference and a participant. They carry no role, so that what a
// participant may do is always decided on its live role.
type Tokens struct {
	secret []byte
}

// NewTokens signs with secret, or with a random key when secret is empty
// (tokens then die with the process, as the in-memory state does).
func NewTokens(secret []byte) *Tokens {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	return &Tokens{secret: secret}
}

type claims struct {
	wire.TokenClaims
	jwt.RegisteredClaims
}

// Issue returns a token for participant pid of conference cid.
func (t *Tokens) Issue(cid, pid string) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		TokenClaims:      wire.TokenClaims{Conference: cid},
		RegisteredClaims: jwt.RegisteredClaims{Issuer: tokenIssuer, Subject: pid},
	})
	return tok.SignedString(t.secret)
}

// Parse checks a token's signature and returns the conference and
// participant it names.
func (t *Tokens) Parse(s string) (cid, pid string, err error) {
	var cl claims
	_, err = jwt.ParseWithClaims(s, &cl, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(tokenIssuer))
	if err != nil {
		return "", "", fmt.Errorf("participant token: %w", err)
	}
	if cl.Conference == "" || cl.Subject == "" {
		return "", "", errors.New("participant token names no conference or participant")
	}
	return cl.Conference, cl.Subject, nil
}
