package faq

import (
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/shopbot/shopbot/bot/hangul"
)

// funcs are the functions an answer may call: josa puts the Korean
// particle that fits after a value ({{josa .Order.Number "은"}} is "1042는",
// {{josa .Order.Carrier "로"}} is "CJ대한통운으로").
var funcs = template.FuncMap{"josa": hangul.Particle}

// Data is what an answer template sees. Only the owner's FAQ file is ever a
// template: customer text is passed as data, never executed.
type Data struct {
	Customer Customer
	Order    *Order // nil when no verified order is at hand
	Shop     Shop
}

// Customer is the person asking.
type Customer struct {
	Name string
}

// Shop is the shop's contact details.
type Shop struct {
	Name, Hours, Contact, Phone, Email, Website string
}

// Order is a customer's order as shown in answers; values are display text.
type Order struct {
	Number, Status, StatusText, Total, Carrier, TrackingNumber, TrackingURL string
	OrderedAt, PaidAt, ShippedAt, DeliveredAt                               string
	Items                                                                   []OrderItem
}

// OrderItem is one line of an order.
type OrderItem struct {
	Name string
	Qty  int
}

// sampleData is what Parse executes every template against, so a misspelt
// field ({{.Ordr}}) is caught when the file is checked, not when a customer asks.
func sampleData() Data {
	return Data{Order: &Order{Items: []OrderItem{{}}}}
}

func compile(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(text)
	if err != nil {
		return nil, err
	}
	if err := t.Execute(io.Discard, sampleData()); err != nil {
		return nil, err
	}
	return t, nil
}

// Render executes the entry's answer for the customer's language: Answers[lang]
// if present, else Answer. The result is trimmed. A template error (such as
// an entry that uses .Order when data has none) is returned wrapped, and the
// caller falls back to a ticket.
func (e *Entry) Render(lang string, data Data) (out string, err error) {
	defer func() {
		// text/template recovers its own panics, but be certain a bad template
		// can never take the bot down.
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("faq: render %q: %v", e.ID, r)
		}
	}()
	t, text := e.tmpl, e.Answer
	if s, ok := e.Answers[lang]; ok && s != "" {
		t, text = e.tmpls[lang], s
	}
	if t == nil { // an Entry built in code rather than by Parse
		if t, err = template.New(e.ID).Funcs(funcs).Option("missingkey=zero").Parse(text); err != nil {
			return "", fmt.Errorf("faq: render %q: %w", e.ID, err)
		}
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("faq: render %q: %w", e.ID, err)
	}
	return strings.TrimSpace(b.String()), nil
}
