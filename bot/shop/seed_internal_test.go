package shop

import (
	"testing"
	"time"
)

// TestDemoOrdersEveryStatus checks the demo at many instants: every hour
// of a day (the statuses follow the time of day) and a few dates.
func TestDemoOrdersEveryStatus(t *testing.T) {
	base := time.Date(2025, 11, 23, 0, 0, 0, 0, time.UTC)
	var nows []time.Time
	for h := range 24 {
		nows = append(nows, base.Add(time.Duration(h)*time.Hour+17*time.Minute))
	}
	nows = append(nows, base.AddDate(1, 2, 3), time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC), // Seoul midnight
		time.Date(2024, 2, 29, 14, 59, 59, 0, time.UTC))
	for _, now := range nows {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			orders := demoOrders(now)
			if got, want := len(orders), DemoOrderCount; got != want {
				t.Fatalf("%d orders, want %d", got, want)
			}
			seen := map[Status]bool{}
			numbers := map[string]bool{}
			today := startOfDay(now, seoul)
			todays := 0
			for _, o := range orders {
				seen[o.Status] = true
				if numbers[o.Number] {
					t.Errorf("order %s twice", o.Number)
				}
				numbers[o.Number] = true
				if !o.OrderedAt.Before(today) && !o.OrderedAt.After(now) {
					todays++
				}
			}
			for _, s := range Statuses {
				if !seen[s] {
					t.Errorf("no %s order", s)
				}
			}
			for _, n := range []string{"1001", "1042", "1043", "1044", "1200"} {
				if !numbers[n] {
					t.Errorf("no order %s", n)
				}
			}
			if todays < 3 {
				t.Errorf("%d orders today, want at least 3", todays)
			}
		})
	}
}
