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
func (s signer) newVisitor(now time.Time) (id, token string) {
	b := make([]byte, 15)
	rand.Read(b)
	id = "v_" + base64.RawURLEncoding.EncodeToString(b)
	return id, s.visitorToken(id, now)
}

// visitorToken is "v2.<id>.<issued unix>.<mac>". The issue time makes it
// expire; an unexpired one is renewed when the widget opens a session,
// so only a visitor idle for the whole lifetime starts over.
func (s signer) visitorToken(id string, issued time.Time) string {
	at := strconv.FormatInt(issued.Unix(), 10)
	return "v2." + id + "." + at + "." + s.mac("visitor", id, at)
}

// visitor checks a token and returns its visitor id and when it was
// issued. A token past its lifetime (maxAge) is refused like a forged one;
// so are the unexpiring "v1" tokens of earlier versions.
func (s signer) visitor(token string, now time.Time, maxAge time.Duration) (string, time.Time, error) {
	if len(token) > 200 {
		return "", time.Time{}, errBadToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != "v2" {
		return "", time.Time{}, errBadToken
	}
	id, at, mac := parts[1], parts[2], parts[3]
	if !strings.HasPrefix(id, "v_") || len(id) > 64 || !s.equal(mac, s.mac("visitor", id, at)) {
		return "", time.Time{}, errBadToken
	}
	unix, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return "", time.Time{}, errBadToken
	}
	issued := time.Unix(unix, 0)
	if age := now.Sub(issued); age > maxAge || age < -time.Hour {
		return "", time.Time{}, errBadToken
	}
	return id, issued, nil
}

// streamTicket is "s1.<visitor id>.<expiry unix>.<mac>": what the widget
// puts in the event stream's URL (an EventSource cannot send headers)
// instead of the visitor token, so proxy logs hold only something that
// stops working within a minute.
func (s signer) streamTicket(id string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return "s1." + id + "." + exp + "." + s.mac("stream", id, exp)
}

// stream checks a stream ticket at now and returns its visitor id.
func (s signer) stream(ticket string, now time.Time) (string, error) {
	parts := strings.Split(ticket, ".")
	if len(ticket) > 200 || len(parts) != 4 || parts[0] != "s1" || !strings.HasPrefix(parts[1], "v_") ||
		!s.equal(parts[3], s.mac("stream", parts[1], parts[2])) {
		return "", errBadToken
	}
	unix, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !now.Before(time.Unix(unix, 0)) {
		return "", errBadToken
	}
	return parts[1], nil
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
