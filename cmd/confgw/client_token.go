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
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims wire.TokenClaims
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Conference
}
