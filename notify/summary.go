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

// Summarizer writes the owner's daily summary from the shop's data and the
// tickets.
type Summarizer struct {
	DB       *sqlx.DB
	Location *time.Location // the owner's time zone: what "today" means
	ShopName string
	SLA      tickets.SLA
}

// Summary is the owner's summary of the local day that contains day, in
// lang ("ko", "en", "zh"; others fall back to English).
func (s *Summarizer) Summary(ctx context.Context, day time.Time, lang string) (string, error) {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	d := day.In(loc)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	st := shop.NewStore(s.DB)
	today, err := st.Sales(ctx, from, to)
	if err != nil {
		return "", fmt.Errorf("notify: summary: %w", err)
	}
	yesterday, err := st.Sales(ctx, from.AddDate(0, 0, -1), from)
	if err != nil {
		return "", fmt.Errorf("notify: summary: %w", err)
	}
	ts, err := tickets.NewStore(s.DB, s.SLA).Stats(ctx, from, to, day)
	if err != nil {
		return "", fmt.Errorf("notify: summary: %w", err)
	}
	low, err := st.LowStock(ctx)
	if err != nil {
		return "", fmt.Errorf("notify: summary: %w", err)
	}
	w := words[lang]
	if w == nil {
		w = words["en"]
	}
	var b strings.Builder
	fmt.Fprintf(&b, w["title"], s.ShopName, from.Format("2006-01-02"))
	fmt.Fprintf(&b, "\n"+w["sales"], today.Orders, shop.FormatWon(today.Revenue), change(today.Revenue, yesterday.Revenue))
	if today.Cancelled+today.Refunded > 0 {
		fmt.Fprintf(&b, "\n"+w["cancelled"], today.Cancelled, today.Refunded)
	}
	for i, p := range today.Top {
		if i == 3 {
			break
		}
		fmt.Fprintf(&b, "\n  %d. %s × %d", i+1, p.Name, p.Units)
	}
	open := 0
	for _, n := range ts.OpenByPriority {
		open += n
	}
	fmt.Fprintf(&b, "\n"+w["tickets"], ts.New, ts.Resolved, open, ts.OpenByPriority[tickets.Urgent], ts.Overdue)
	if ts.MedianFirstResponse > 0 {
		fmt.Fprintf(&b, "\n"+w["response"], ts.MedianFirstResponse.Round(time.Minute))
	}
	if len(low) > 0 {
		var names []string
		for i, p := range low {
			if i == 5 {
				names = append(names, fmt.Sprintf("+%d", len(low)-5))
				break
			}
			names = append(names, fmt.Sprintf("%s %d", p.Name, p.Stock))
		}
		fmt.Fprintf(&b, "\n"+w["low"], strings.Join(names, ", "))
	}
	return b.String(), nil
}

// change is the relative change from before to now, as "+12%".
func change(now, before int64) string {
	if before == 0 {
		if now == 0 {
			return "±0%"
		}
		return "new"
	}
	pct := float64(now-before) * 100 / float64(before)
	return fmt.Sprintf("%+.0f%%", pct)
}

var words = map[string]map[string]string{
	"ko": {
		"title":     "📋 %s 오늘의 요약 (%s)",
		"sales":     "주문 %d건 · 매출 %s (어제 대비 %s)",
		"cancelled": "취소 %d건 · 환불 %d건",
		"tickets":   "문의: 새로 %d · 해결 %d · 대기 %d (긴급 %d, 기한 초과 %d)",
		"response":  "첫 응답 중앙값 %s",
		"low":       "재고 부족: %s",
	},
	"en": {
		"title":     "📋 %s daily summary (%s)",
		"sales":     "%d orders · revenue %s (%s vs yesterday)",
		"cancelled": "%d cancelled · %d refunded",
		"tickets":   "Tickets: %d new · %d resolved · %d open (%d urgent, %d overdue)",
		"response":  "median first response %s",
		"low":       "Low stock: %s",
	},
	"zh": {
		"title":     "📋 %s 今日摘要（%s）",
		"sales":     "订单 %d 笔 · 销售额 %s（较昨日 %s）",
		"cancelled": "取消 %d 笔 · 退款 %d 笔",
		"tickets":   "工单：新增 %d · 已解决 %d · 待处理 %d（紧急 %d，超时 %d）",
		"response":  "首次响应中位数 %s",
		"low":       "库存不足：%s",
	},
}
