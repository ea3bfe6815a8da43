package http

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/confgw/confgw/http/wire"
)

const tokenIssuer = "confgw"

// DefaultTokenTTL is how long a participant token is good for. A token is
// handed out when someone joins and is carried for the whole meeting,
// console and events stream included; a day outlasts any meeting, even one
// left open from morning to evening, yet a token copied out of a browser's
// history or a log is useless by the next day.
const DefaultTokenTTL = 24 * time.Hour

// ErrTokenExpired is a participant token past its expiry. Its signature
// was good, so it was ours: the holder only needs a new one.
var ErrTokenExpired = errors.New("the participant token has expired")

// TokenOptions configure Tokens.
type TokenOptions struct {
	// Secret signs the tokens; empty picks a random key, so that tokens
	// die with the process, as the in-memory state does.
	Secret []byte
	// TTL is how long a token is good for; DefaultTokenTTL when zero.
	TTL time.Duration
	// Now is the clock tokens are issued and checked by; time.Now when nil.
	Now func() time.Time
}

// Tokens issues and checks participant tokens: HS256 JWTs naming a
// conference and a participant, good until their exp. They carry no role,
// so that what a participant may do is always decided on its live role.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewTokens makes Tokens as o says.
func NewTokens(o TokenOptions) *Tokens {
	if len(o.Secret) == 0 {
		o.Secret = make([]byte, 32)
		_, _ = rand.Read(o.Secret)
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTokenTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Tokens{secret: o.Secret, ttl: o.TTL, now: o.Now}
}

// TTL is how long the tokens Issue returns are good for.
func (t *Tokens) TTL() time.Duration { return t.ttl }

type claims struct {
	wire.TokenClaims
	jwt.RegisteredClaims
}

// Issue returns a token for participant pid of conference cid.
func (t *Tokens) Issue(cid, pid string) (string, error) {
	now := t.now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		TokenClaims: wire.TokenClaims{Conference: cid},
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: tokenIssuer, Subject: pid,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
	})
	return tok.SignedString(t.secret)
}

// Parse checks a token's signature and expiry and returns the conference
// and participant it names. A token past its expiry is refused with an
// error that is ErrTokenExpired.
func (t *Tokens) Parse(s string) (cid, pid string, err error) {
	var cl claims
	// A token without exp would be good for ever: it is refused.
	_, err = jwt.ParseWithClaims(s, &cl, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", "", fmt.Errorf("%w at %s", ErrTokenExpired, cl.ExpiresAt.UTC().Format(time.RFC3339))
	case err != nil:
		return "", "", fmt.Errorf("participant token: %w", err)
	}
	if cl.Conference == "" || cl.Subject == "" {
		return "", "", errors.New("participant token names no conference or participant")
	}
	return cl.Conference, cl.Subject, nil
}
