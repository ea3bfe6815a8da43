package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/confgw/confgw/http/wire"
)

// conferenceOfToken reads the conference a participant token names, or ""
// for anything else (the admin key). The signature is not checked: only the
// server can, and it does on every call; reading the claim merely spares
// typing an id the token already carries.
func conferenceOfToken(token string) string {
	claims, _ := readToken(token)
	return claims.Conference
}

// participantOfToken reads the participant a token was issued to (its
// subject), or "" for anything else, unchecked as conferenceOfToken.
func participantOfToken(token string) string {
	_, sub := readToken(token)
	return sub
}

func readToken(token string) (wire.TokenClaims, string) {
	var claims struct {
		wire.TokenClaims
		Subject string `json:"sub"`
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return wire.TokenClaims{}, ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return wire.TokenClaims{}, ""
	}
	return claims.TokenClaims, claims.Subject
}
