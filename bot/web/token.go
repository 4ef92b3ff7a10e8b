package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// errBadToken is any visitor token that is not one this server signed.
var errBadToken = errors.New("web: bad visitor token")

// signer makes and checks the values this server hands out: visitor
// tokens, owner sessions and CSRF tokens. Each kind is signed under its own
// label, so one can never stand in for another.
type signer struct{ secret []byte }

func (s signer) mac(label string, parts ...string) string {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte(label))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

func (s signer) equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// newVisitor returns a fresh anonymous visitor id and its token.
func (s signer) newVisitor() (id, token string) {
	b := make([]byte, 15)
	rand.Read(b)
	id = "v_" + base64.RawURLEncoding.EncodeToString(b)
	return id, s.visitorToken(id)
}

// visitorToken is "v1.<id>.<mac>".
func (s signer) visitorToken(id string) string {
	return "v1." + id + "." + s.mac("visitor", id)
}

// visitor checks a token and returns its visitor id.
func (s signer) visitor(token string) (string, error) {
	if len(token) > 200 {
		return "", errBadToken
	}
	v, rest, ok := strings.Cut(token, ".")
	if !ok || v != "v1" {
		return "", errBadToken
	}
	id, mac, ok := strings.Cut(rest, ".")
	if !ok || !strings.HasPrefix(id, "v_") || len(id) > 64 || !s.equal(mac, s.mac("visitor", id)) {
		return "", errBadToken
	}
	return id, nil
}

// ownerSession is the owner cookie's value: "<expiry unix>.<mac>", bound
// to the current owner token's hash so rotating the token ends it.
func (s signer) ownerSession(tokenHash string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + s.mac("owner", exp, tokenHash)
}

func (s signer) validSession(value, tokenHash string, now time.Time) bool {
	exp, mac, ok := strings.Cut(value, ".")
	if !ok || tokenHash == "" {
		return false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= unix {
		return false
	}
	return s.equal(mac, s.mac("owner", exp, tokenHash))
}

// csrf is the form token of an owner session.
func (s signer) csrf(session string) string { return s.mac("csrf", session) }
