package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/shopbot/shopbot/bot/shop"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"won":     shop.FormatWon,
	"mod":     func(i int) int { return i % 6 },
	"initial": func(s string) string { return string([]rune(s + " ")[:1]) },
}).ParseFS(assets, "assets/*.html"))

// buildWidget inlines the CSS into the script, drops comment lines and
// indentation, and keeps a gzipped copy.
func (s *Server) buildWidget() error {
	js, err := assets.ReadFile("assets/widget.js")
	if err != nil {
		return fmt.Errorf("web: widget: %w", err)
	}
	css, err := assets.ReadFile("assets/widget.css")
	if err != nil {
		return fmt.Errorf("web: widget: %w", err)
	}
	cssJSON, _ := json.Marshal(strings.Join(strings.Fields(string(css)), " "))
	src := strings.Replace(string(js), `"/*CSS*/"`, string(cssJSON), 1)
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	s.widget = []byte(b.String())
	sum := sha256.Sum256(s.widget)
	s.widgetETag = `"` + hex.EncodeToString(sum[:8]) + `"`
	return nil
}

// WidgetSize returns the size of widget.js as served, plain and gzipped.
func (s *Server) WidgetSize() (plain, gzipped int) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(s.widget)
	zw.Close()
	return len(s.widget), buf.Len()
}

func (s *Server) serveWidget(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", s.widgetETag)
	if r.Header.Get("If-None-Match") == s.widgetETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		zw := gzip.NewWriter(w)
		zw.Write(s.widget)
		zw.Close()
		return
	}
	w.Write(s.widget)
}

type homePage struct {
	Shop     string
	Lang     string
	Products []shop.Product
	Colors   []string
}

// serveHome is the demo shop (with --demo) or a page that shows how to
// embed the widget.
func (s *Server) serveHome(w http.ResponseWriter, r *http.Request) {
	page := homePage{Shop: s.cfg.ShopName, Lang: s.cfg.Lang,
		Colors: []string{"#e8d5c4", "#cfe0d4", "#d6dcef", "#efd9d9", "#e6e1c8", "#d9e7ea"}}
	name := "embed.html"
	if s.cfg.Demo {
		name = "shop.html"
		ps, err := shop.NewStore(s.cfg.DB).Products(r.Context())
		if err != nil {
			s.log.Error("web: demo page", "err", err)
			http.Error(w, "The shop is unavailable right now.", http.StatusServiceUnavailable)
			return
		}
		if len(ps) > 12 {
			ps = ps[:12]
		}
		page.Products = ps
	}
	securityHeaders(w, r, "")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, page); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
	}
}

// securityHeaders are set on every HTML page this server renders. The
// Content-Security-Policy runs only this server's scripts, and an inline
// one only with the page's nonce ("": none may run); HSTS is sent when the
// page came over HTTPS.
func securityHeaders(w http.ResponseWriter, r *http.Request, nonce string) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	script := "'self'"
	if nonce != "" {
		script += " 'nonce-" + nonce + "'"
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src "+script+"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	if isHTTPS(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// newNonce is a fresh script nonce for one page.
func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) // nothing html/template escapes
}
