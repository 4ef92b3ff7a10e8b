// Package console is the terminal adapter: one customer's (or the owner's)
// conversation on standard input and output, through the same engine and
// store as every other channel.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/outlet"
)

// Channel is the console's channel name in messages and the outbox.
const Channel = "console"

// ErrOwnerID refuses a customer whose id is the owner's console chat.
var ErrOwnerID = errors.New(`console: "owner" is the owner's console; choose another customer id`)

// OwnerChat is the console chat of the owner.
const OwnerChat = "owner"

// Options say who is typing and how replies are printed.
type Options struct {
	User  string // the customer's id (the chat); ignored for the owner
	Owner bool   // the owner is typing: commands, and alerts to the console owner
	JSON  bool   // one JSON object per reply (design §3) instead of text
	// Poll is how often replies that arrive from elsewhere (an owner's
	// answer) are looked for while waiting for input; 0: every second.
	Poll time.Duration
}

// Adapter is one conversation on a terminal.
type Adapter struct {
	eng  *bot.Engine
	ob   *bot.Outbox
	in   io.Reader
	p    *printer
	opt  Options
	chat string
}

// New returns the console adapter: one message per line read from in,
// handed to eng, the replies printed to out.
func New(eng *bot.Engine, ob *bot.Outbox, in io.Reader, out io.Writer, opt Options) (*Adapter, error) {
	chat := opt.User
	if opt.Owner {
		chat = OwnerChat
	}
	if chat == "" {
		return nil, errors.New("console: no user")
	}
	if !opt.Owner && strings.EqualFold(strings.TrimSpace(chat), OwnerChat) {
		// The owner's console queue is the owner's: a customer named
		// "owner" would read the owner's alerts.
		return nil, ErrOwnerID
	}
	return &Adapter{eng: eng, ob: ob, in: in, p: &printer{w: out, json: opt.JSON}, opt: opt, chat: chat}, nil
}

// Send prints one reply.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) (string, error) { return a.p.send(ctx, r) }

// Outlets is how the console sends what arrives from elsewhere while it
// waits for input (an owner's answer, alerts for the console owner): this
// conversation's replies only, every Poll.
func (a *Adapter) Outlets() []outlet.Outlet {
	return []outlet.Outlet{{Channel: Channel, Chat: a.chat, Send: a.Send, Poll: a.opt.Poll}}
}

// Run reads one message per line from in until it ends or ctx is done,
// hands each to the engine and prints its replies before reading the next
// line (a terminal shows a line's answers before the prompt returns, and
// before the input's end stops it). Replies that were waiting for this
// chat (an owner's answer given while the customer was away, alerts for
// the console owner) are printed first; new ones arrive through Outlets.
func (a *Adapter) Run(ctx context.Context) error {
	deliver := func() error {
		_, err := a.ob.Deliver(ctx, Channel, a.chat, a.Send)
		return err
	}
	if err := deliver(); err != nil {
		return err
	}
	start := time.Now().UnixNano()
	r := bufio.NewReader(a.in)
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("console: read: %w", err)
		}
		text := strings.TrimRight(line, "\r\n")
		m := bot.Message{Channel: Channel, ID: fmt.Sprintf("%s-%d-%d", a.chat, start, n), Chat: a.chat, User: a.chat, Owner: a.opt.Owner, Text: text}
		if _, herr := a.eng.Handle(ctx, m); herr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			a.p.send(ctx, bot.Reply{Kind: bot.KindError, Text: "Sorry, something went wrong. Please try again. / 죄송해요, 잠시 문제가 생겼어요."})
			return fmt.Errorf("console: %w", herr)
		}
		if err := deliver(); err != nil {
			return err
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// printer writes replies as text blocks or JSON lines, one writer at a time.
type printer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// chatJSON is design §3's `chat --json` object.
type chatJSON struct {
	Kind     bot.Kind `json:"kind"`
	Text     string   `json:"text"`
	Entry    string   `json:"entry"`
	Ticket   int64    `json:"ticket"`
	Priority string   `json:"priority"`
	Choices  []string `json:"choices"`
}

func (p *printer) send(_ context.Context, r bot.Reply) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		o := chatJSON{Kind: r.Kind, Text: r.Text, Entry: r.Entry, Ticket: r.Ticket, Priority: r.Priority, Choices: []string{}}
		for _, c := range r.Choices {
			if c.Entry != bot.ChoiceNone { // design §3: the offered entry ids; "none of these" is in the text
				o.Choices = append(o.Choices, c.Entry)
			}
		}
		b, err := json.Marshal(o)
		if err != nil {
			return "", err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return "", err
	}
	text := r.Text
	if r.Kind == bot.KindOwner {
		text = "[owner] " + text
	}
	_, err := fmt.Fprintf(p.w, "%s\n\n", text)
	return "", err
}
