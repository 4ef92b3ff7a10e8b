package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// Summarizer writes the owner's daily and weekly summaries from the shop's
// data, the tickets and the bot's conversations (read only).
type Summarizer struct {
	DB            *sqlx.DB       // the shop's and the tickets' stores read through it
	Conversations Conversations  // the bot's conversations; nil: none counted
	Location      *time.Location // the owner's time zone: what "today" means; nil: UTC
	ShopName      string
	SLA           tickets.SLA
	UnshippedDays int              // orders paid longer ago than this and not shipped are listed; 0: 2
	Now           func() time.Time // what "now" is for a report of today; nil: time.Now
	NoChart       bool             // leave the PNG chart out of Event (text-only owners; fast tests)
}

// Conversations is what a summary needs of the bot's conversations
// (bot.Conversations implements it; notify does not import bot).
type Conversations interface {
	// Active calls f for each conversation active in [from, to), with how
	// many messages the bot answered in it.
	Active(ctx context.Context, from, to time.Time, f func(channel, chat string, answered int)) error
}

// Report is what a summary says, before it is put in words.
type Report struct {
	Shop     string
	From, To time.Time // the period, local midnights: [From, To)
	Weekly   bool
	AsOf     time.Time // the moment open and overdue tickets are counted at

	Sales    shop.Sales
	Previous shop.Sales // the day (week) before
	LastWeek shop.Sales // the same weekday a week before (daily reports)

	Unshipped     []shop.Order // paid more than UnshippedDays before AsOf and not shipped
	UnshippedDays int

	Tickets       tickets.Stats
	Conversations int        // customer conversations active in the period
	BotAnswered   int        // of those, answered by the bot with no ticket for a person
	Questions     []Question // what the bot could not answer, grouped (7 days to To)
	LowStock      []shop.Product

	Days []Day // the 14 days up to To
}

// Day is one day of the chart.
type Day struct {
	Day     time.Time // local midnight
	Orders  int
	Revenue int64 // won
	Tickets int   // opened that day
}

func (s *Summarizer) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

func (s *Summarizer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Summary is the owner's summary of the local day that contains day, in
// lang ("ko", "en", "zh"; others fall back to English).
func (s *Summarizer) Summary(ctx context.Context, day time.Time, lang string) (string, error) {
	r, err := s.Report(ctx, day, false)
	if err != nil {
		return "", err
	}
	return r.Text(lang), nil
}

// Event is the summary of the local day that contains day (weekly: of the
// seven days that end with it) as an event for every owner destination:
// the text, which stands alone (with a sparkline), and the chart as a PNG.
// A chart that cannot be drawn is left out rather than failing the
// summary.
func (s *Summarizer) Event(ctx context.Context, day time.Time, weekly bool, lang string) (Event, error) {
	r, err := s.Report(ctx, day, weekly)
	if err != nil {
		return Event{}, err
	}
	e := Event{Kind: KindSummary, Priority: "normal", Text: r.Text(lang), Key: "summary:" + r.From.Format(time.DateOnly)}
	if weekly {
		e.Key = "summary-week:" + r.From.Format(time.DateOnly)
	}
	if !s.NoChart {
		e.Image, _ = r.Chart()
	}
	return e, nil
}

// Report gathers the figures for the local day that contains day, or
// with weekly for the seven days that end with it.
func (s *Summarizer) Report(ctx context.Context, day time.Time, weekly bool) (*Report, error) {
	loc := s.loc()
	d := day.In(loc)
	to := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	prevFrom := time.Date(d.Year(), d.Month(), d.Day()-1, 0, 0, 0, 0, loc)
	if weekly {
		from = time.Date(d.Year(), d.Month(), d.Day()-6, 0, 0, 0, 0, loc)
		prevFrom = time.Date(d.Year(), d.Month(), d.Day()-13, 0, 0, 0, 0, loc)
	}
	asOf := s.now()
	if asOf.After(to) || asOf.Before(from) {
		asOf = to
	}
	r := &Report{Shop: s.ShopName, From: from, To: to, Weekly: weekly, AsOf: asOf}
	wrap := func(err error) (*Report, error) { return nil, fmt.Errorf("notify: summary: %w", err) }
	st := shop.NewStore(s.DB)
	var err error
	if r.Sales, err = st.Sales(ctx, from, to); err != nil {
		return wrap(err)
	}
	if r.Previous, err = st.Sales(ctx, prevFrom, from); err != nil {
		return wrap(err)
	}
	if !weekly {
		lw := time.Date(d.Year(), d.Month(), d.Day()-7, 0, 0, 0, 0, loc)
		if r.LastWeek, err = st.Sales(ctx, lw, time.Date(d.Year(), d.Month(), d.Day()-6, 0, 0, 0, 0, loc)); err != nil {
			return wrap(err)
		}
	}
	r.UnshippedDays = s.UnshippedDays
	if r.UnshippedDays <= 0 {
		r.UnshippedDays = 2
	}
	if r.Unshipped, err = st.UnshippedSince(ctx, asOf.Add(-time.Duration(r.UnshippedDays)*24*time.Hour)); err != nil {
		return wrap(err)
	}
	if r.Tickets, err = tickets.NewStore(s.DB, s.SLA).Stats(ctx, from, to, asOf); err != nil {
		return wrap(err)
	}
	if err := s.openAsOf(ctx, r); err != nil {
		return wrap(err)
	}
	if r.LowStock, err = st.LowStock(ctx); err != nil {
		return wrap(err)
	}
	if err := s.conversations(ctx, r); err != nil {
		return wrap(err)
	}
	qFrom := time.Date(d.Year(), d.Month(), d.Day()-6, 0, 0, 0, 0, loc)
	questions, err := tickets.NewStore(s.DB, s.SLA).Unanswered(ctx, qFrom, to)
	if err != nil {
		return wrap(err)
	}
	r.Questions = GroupQuestions(questions, 3)
	if err := s.days(ctx, r, st); err != nil {
		return wrap(err)
	}
	return r, nil
}

// conversations counts the customer conversations active in the period
// and those the bot answered with no ticket open for a person during it.
// A conversation is active if it began before the period ended and was
// last touched after it began (for a past day this also counts ones that
// went on later).
func (s *Summarizer) conversations(ctx context.Context, r *Report) error {
	if s.Conversations == nil {
		return nil
	}
	person, err := tickets.NewStore(s.DB, s.SLA).OpenChats(ctx, r.From, r.To)
	if err != nil {
		return err
	}
	return s.Conversations.Active(ctx, r.From, r.To, func(channel, chat string, answered int) {
		r.Conversations++
		if answered > 0 && !person[tickets.Chat{Channel: channel, Chat: chat}] {
			r.BotAnswered++
		}
	})
}

// openAsOf counts the tickets open and overdue at r.AsOf (tickets.Stats
// counts them as of the present, which is wrong for a past day).
func (s *Summarizer) openAsOf(ctx context.Context, r *Report) error {
	open, overdue, err := tickets.NewStore(s.DB, s.SLA).OpenAt(ctx, r.AsOf)
	if err != nil {
		return err
	}
	r.Tickets.OpenByPriority, r.Tickets.Overdue = open, overdue
	return nil
}

// days fills the chart's 14 days.
func (s *Summarizer) days(ctx context.Context, r *Report, st *shop.Store) error {
	loc := s.loc()
	t := r.To.In(loc)
	from := time.Date(t.Year(), t.Month(), t.Day()-14, 0, 0, 0, 0, loc)
	sales, err := st.DailySales(ctx, from, r.To, loc)
	if err != nil {
		return err
	}
	created, err := tickets.NewStore(s.DB, s.SLA).Opened(ctx, from, r.To)
	if err != nil {
		return err
	}
	index := map[string]int{}
	for i, d := range sales {
		index[d.Day.Format(time.DateOnly)] = i
		r.Days = append(r.Days, Day{Day: d.Day, Orders: d.Orders, Revenue: d.Revenue})
	}
	for _, c := range created {
		if i, ok := index[c.In(loc).Format(time.DateOnly)]; ok {
			r.Days[i].Tickets++
		}
	}
	return nil
}

// change is the relative change from before to now, as "+12%"; false
// when there was nothing before to compare with (no "+∞").
func change(now, before int64) (string, bool) {
	if before == 0 {
		if now == 0 {
			return "±0%", true
		}
		return "", false
	}
	pct := float64(now-before) * 100 / float64(before)
	return fmt.Sprintf("%+.0f%%", pct), true
}

// versus is a comparison with an earlier period in words: "+12% vs
// yesterday", or "none yesterday" when that period sold nothing.
func versus(w map[string]string, key, noneKey string, now, before int64, args ...any) string {
	if c, ok := change(now, before); ok {
		return fmt.Sprintf(w[key], append(args, c)...)
	}
	return fmt.Sprintf(w[noneKey], args...)
}

// Text puts the report in words for the owner, in lang: what to do first,
// then sales, orders to ship, tickets, the bot's share, questions worth an
// FAQ entry and low stock. Lines with nothing to say are left out.
func (r *Report) Text(lang string) string {
	w := wordsFor(lang)
	loc := r.From.Location()
	var b strings.Builder
	line := func(format string, args ...any) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, format, args...)
	}
	if r.Weekly {
		line(w["title_week"], r.Shop, shortDate(r.From, lang), shortDate(r.To.Add(-time.Hour).In(loc), lang))
	} else {
		line(w["title"], r.Shop, date(r.From, lang))
	}

	var todo []string
	soldOut := 0
	for _, p := range r.LowStock {
		if p.Stock <= 0 {
			soldOut++
		}
	}
	if n := r.Tickets.OpenByPriority[tickets.Urgent]; n > 0 {
		todo = append(todo, fmt.Sprintf(w["todo_urgent"], n))
	}
	if r.Tickets.Overdue > 0 {
		todo = append(todo, fmt.Sprintf(w["todo_overdue"], r.Tickets.Overdue))
	}
	if len(r.Unshipped) > 0 {
		todo = append(todo, fmt.Sprintf(w["todo_unship"], len(r.Unshipped)))
	}
	if soldOut > 0 {
		todo = append(todo, fmt.Sprintf(w["todo_out"], soldOut))
	}
	if len(todo) > 0 {
		line(w["todo"], strings.Join(todo, " · "))
	}

	sales := fmt.Sprintf(w["sales"], r.Sales.Orders, noun(r.Sales.Orders, "order", "orders"), money(r.Sales.Revenue, lang))
	var vs []string
	if r.Weekly {
		vs = append(vs, versus(w, "vs_prev_week", "vs_week_none", r.Sales.Revenue, r.Previous.Revenue))
	} else {
		vs = append(vs, versus(w, "vs_prev", "vs_prev_none", r.Sales.Revenue, r.Previous.Revenue),
			versus(w, "vs_weekday", "vs_day_none", r.Sales.Revenue, r.LastWeek.Revenue, weekday(r.From.Weekday(), lang)))
	}
	sep, lp, rp := ", ", " (", ")"
	if baseLang(lang) == "zh" {
		sep, lp, rp = "，", "（", "）"
	}
	line("%s%s%s%s", sales, lp, strings.Join(vs, sep), rp)
	if len(r.Days) > 0 {
		rev := make([]float64, len(r.Days))
		for i, d := range r.Days {
			rev[i] = float64(d.Revenue)
		}
		line(w["spark"], Sparkline(rev))
	}
	if len(r.Sales.Top) > 0 {
		var top []string
		for i, p := range r.Sales.Top {
			if i == 3 {
				break
			}
			top = append(top, fmt.Sprintf("%s ×%d", oneLine(p.Name, 40), p.Units))
		}
		line(w["top"], strings.Join(top, " · "))
	}
	if r.Sales.Cancelled+r.Sales.Refunded > 0 {
		line(w["cancelled"], r.Sales.Cancelled, r.Sales.Refunded)
	}
	if len(r.Unshipped) > 0 {
		var items []string
		for i, o := range r.Unshipped {
			if i == 3 {
				items = append(items, fmt.Sprintf("+%d", len(r.Unshipped)-3))
				break
			}
			days := 0
			if o.PaidAt != nil {
				days = int(r.AsOf.Sub(*o.PaidAt)/(24*time.Hour)) + 1
			}
			items = append(items, fmt.Sprintf(w["unship_item"], o.Number, oneLine(o.CustomerName, 20), days))
		}
		line(w["unshipped"], r.UnshippedDays, noun(r.UnshippedDays, "day", "days"), len(r.Unshipped), strings.Join(items, ", "))
	}

	t := r.Tickets
	open := 0
	var byPriority []string
	for _, p := range tickets.Priorities {
		open += t.OpenByPriority[p]
		if n := t.OpenByPriority[p]; n > 0 {
			byPriority = append(byPriority, fmt.Sprintf("%s %d", priorityLabel(string(p), lang), n))
		}
	}
	detail := ""
	if len(byPriority) > 0 {
		detail = " (" + strings.Join(byPriority, " · ") + ")"
		if baseLang(lang) == "zh" {
			detail = "（" + strings.Join(byPriority, " · ") + "）"
		}
	}
	if t.Overdue > 0 {
		detail += fmt.Sprintf(w["overdue"], t.Overdue)
	}
	if t.New+t.Resolved+open > 0 {
		line(w["tickets"], t.New, t.Resolved, open, detail)
	}
	if t.MedianFirstResponse > 0 {
		line(w["response"], duration(t.MedianFirstResponse, lang))
	}
	if r.Conversations > 0 {
		line(w["bot_share"], r.BotAnswered*100/r.Conversations, r.BotAnswered, r.Conversations)
	}
	if len(r.Questions) > 0 {
		line("%s", w["questions"])
		for _, q := range r.Questions {
			line("   · %s ×%d", oneLine(q.Text, 80), q.Count)
		}
	}
	if len(r.LowStock) > 0 {
		var names []string
		for i, p := range r.LowStock {
			if i == 5 {
				names = append(names, fmt.Sprintf("+%d", len(r.LowStock)-5))
				break
			}
			names = append(names, fmt.Sprintf("%s %d", oneLine(p.Name, 30), p.Stock))
		}
		line(w["low"], len(r.LowStock), strings.Join(names, " · "))
	}
	if r.Sales.Orders == 0 && t.New == 0 && open == 0 {
		line("%s", w["quiet_day"])
	}
	return b.String()
}
