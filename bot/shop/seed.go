package shop

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// demoProducts are the demo shop's catalogue: a small Korean lifestyle and
// clothing shop. A few are at or below their safety stock, one is sold out.
var demoProducts = []Product{
	{SKU: "TEE-WHT-M", Name: "오버핏 코튼 티셔츠 화이트 M", Price: 29000, Stock: 3, SafetyStock: 5},
	{SKU: "TEE-WHT-L", Name: "오버핏 코튼 티셔츠 화이트 L", Price: 29000, Stock: 18, SafetyStock: 5},
	{SKU: "TEE-BLK-M", Name: "오버핏 코튼 티셔츠 블랙 M", Price: 29000, Stock: 22, SafetyStock: 5},
	{SKU: "TEE-BLK-L", Name: "오버핏 코튼 티셔츠 블랙 L", Price: 29000, Stock: 15, SafetyStock: 5},
	{SKU: "SWT-GRY-F", Name: "기모 맨투맨 그레이", Price: 39000, Stock: 12, SafetyStock: 4},
	{SKU: "HOD-NVY-L", Name: "후드 집업 네이비 L", Price: 59000, Stock: 7, SafetyStock: 3},
	{SKU: "CRD-BEI-F", Name: "울 블렌드 가디건 베이지", Price: 69000, Stock: 0, SafetyStock: 3},
	{SKU: "SHR-STR-M", Name: "스트라이프 셔츠 M", Price: 45000, Stock: 9, SafetyStock: 3},
	{SKU: "PNT-WID-M", Name: "와이드 코튼 팬츠 M", Price: 49000, Stock: 11, SafetyStock: 4},
	{SKU: "DNM-BLU-30", Name: "스트레이트 데님 팬츠 30", Price: 59000, Stock: 6, SafetyStock: 3},
	{SKU: "SKT-LIN-F", Name: "린넨 롱스커트 아이보리", Price: 52000, Stock: 8, SafetyStock: 3},
	{SKU: "SCK-3P-F", Name: "무지 양말 3족 세트", Price: 9900, Stock: 64, SafetyStock: 20},
	{SKU: "CAP-BEI-F", Name: "워싱 볼캡 베이지", Price: 25000, Stock: 14, SafetyStock: 5},
	{SKU: "BAG-ECO-F", Name: "린넨 에코백", Price: 19000, Stock: 31, SafetyStock: 10},
	{SKU: "BAG-CRS-F", Name: "미니 크로스백 블랙", Price: 38000, Stock: 4, SafetyStock: 4},
	{SKU: "MUG-CER-WH", Name: "세라믹 머그컵 화이트", Price: 14000, Stock: 27, SafetyStock: 8},
	{SKU: "TUM-STL-500", Name: "스테인리스 텀블러 500ml", Price: 24000, Stock: 19, SafetyStock: 6},
	{SKU: "TEA-GRN-20", Name: "제주 유기농 녹차 티백 20입", Price: 12000, Stock: 5, SafetyStock: 8},
	{SKU: "TEA-BRL-20", Name: "구수한 보리차 티백 20입", Price: 8900, Stock: 40, SafetyStock: 10},
	{SKU: "CND-SOY-LAV", Name: "소이 캔들 라벤더", Price: 22000, Stock: 2, SafetyStock: 5},
	{SKU: "DIF-COT-200", Name: "코튼 디퓨저 200ml", Price: 32000, Stock: 13, SafetyStock: 4},
	{SKU: "TWL-HTL-2P", Name: "호텔 타월 2장 세트", Price: 19800, Stock: 36, SafetyStock: 10},
	{SKU: "BLK-KNT-F", Name: "니트 블랭킷 오트밀", Price: 48000, Stock: 9, SafetyStock: 3},
	{SKU: "CUS-LIN-45", Name: "린넨 쿠션 커버 45cm", Price: 16000, Stock: 21, SafetyStock: 6},
	{SKU: "SLP-RBN-F", Name: "실내 슬리퍼 라이트 그레이", Price: 15000, Stock: 17, SafetyStock: 6},
	{SKU: "NTB-A5-DOT", Name: "A5 도트 노트", Price: 6500, Stock: 48, SafetyStock: 15},
	{SKU: "PEN-BRS-01", Name: "황동 볼펜", Price: 18000, Stock: 10, SafetyStock: 4},
	{SKU: "HND-CRM-50", Name: "시어버터 핸드크림 50ml", Price: 11000, Stock: 26, SafetyStock: 8},
	{SKU: "UMB-MIN-BK", Name: "초경량 미니 우산 블랙", Price: 23000, Stock: 12, SafetyStock: 5},
	{SKU: "PJM-COT-M", Name: "코튼 파자마 세트 M", Price: 54000, Stock: 8, SafetyStock: 3},
}

type demoCustomer struct{ name, email string }

// demoCustomers are made-up people with addresses on reserved domains.
var demoCustomers = []demoCustomer{
	{"김서연", "seoyeon.kim@example.com"}, {"이도윤", "doyun.lee@example.net"}, {"박지우", "jiwoo.park@example.com"},
	{"최하은", "haeun.choi@example.org"}, {"정민준", "minjun.jung@example.com"}, {"강수아", "sua.kang@example.net"},
	{"조예준", "yejun.jo@example.com"}, {"윤지민", "jimin.yoon@example.com"}, {"장서준", "seojun.jang@example.org"},
	{"임하윤", "hayoon.lim@example.com"}, {"한지호", "jiho.han@example.net"}, {"오채원", "chaewon.oh@example.com"},
	{"서건우", "gunwoo.seo@example.com"}, {"신유나", "yuna.shin@example.org"}, {"권현우", "hyunwoo.kwon@example.com"},
	{"황소율", "soyul.hwang@example.net"}, {"안우진", "woojin.ahn@example.com"}, {"송다은", "daeun.song@example.com"},
	{"류시우", "siwoo.ryu@example.org"}, {"전나연", "nayeon.jeon@example.com"}, {"홍태윤", "taeyun.hong@example.net"},
	{"고은채", "eunchae.ko@example.com"}, {"문승현", "seunghyun.moon@example.com"}, {"양지아", "jia.yang@example.org"},
	{"손민서", "minseo.son@example.com"}, {"배준서", "junseo.bae@example.net"}, {"백서윤", "seoyun.baek@example.com"},
	{"허주원", "juwon.heo@example.com"}, {"유하린", "harin.yu@example.org"}, {"남궁현", "hyun.namgung@example.com"},
	{"Sarah Kim", "sarah.kim@example.com"}, {"David Lee", "david.lee@example.net"},
}

// demoCarriers are weighted: mostly Korean couriers.
var demoCarriers = []string{"cj", "cj", "cj", "cj", "cj", "cj", "hanjin", "hanjin", "lotte", "lotte", "epost", "epost", "logen", "logen", "cj", "hanjin", "lotte", "epost", "logen", "ups"}

// DemoOrderCount is how many orders SeedDemo creates, numbered from 1001.
const DemoOrderCount = 200

// SeedDemo fills an empty database with a believable demo shop: 30
// products and 200 orders ("1001".."1200") over the 60 days before now, in
// every status, including the showcase orders 1042 (shipped yesterday by
// CJ대한통운, 김민지, 010-1234-5678), 1043 (paid, being prepared, 이준호,
// 010-2222-3333) and 1044 (delivered three days ago, Emily Park,
// 010-9876-5432), and a few orders placed today in Asia/Seoul. The data is
// the same on every run but for the dates, which follow now. It seeds once:
// a later call returns false and changes nothing.
func SeedDemo(ctx context.Context, db *sqlx.DB, now time.Time) (seeded bool, err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("shop: seed demo: %w", err)
	}
	defer tx.Rollback()
	var marker []string
	err = sqlx.SelectContext(ctx, tx, &marker, tx.Rebind(`INSERT INTO shop_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO NOTHING RETURNING key`), "demo_seeded", now.UTC().Format(time.RFC3339))
	if err != nil {
		return false, fmt.Errorf("shop: seed demo: marker: %w", err)
	}
	if len(marker) == 0 {
		return false, nil
	}
	st := NewStore(tx)
	for _, p := range demoProducts {
		if err := st.UpsertProduct(ctx, p, now); err != nil {
			return false, fmt.Errorf("shop: seed demo: %w", err)
		}
	}
	for _, o := range demoOrders(now) {
		if err := st.UpsertOrder(ctx, o, now); err != nil {
			return false, fmt.Errorf("shop: seed demo: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("shop: seed demo: commit: %w", err)
	}
	return true, nil
}

// seoul is the demo shop's time zone; fixed at +09:00 (Korea has no
// daylight saving time) so the demo needs no zone database.
var seoul = time.FixedZone("KST", 9*60*60)

// demoOrders builds the demo orders for now, deterministically.
func demoOrders(now time.Time) []Order {
	now = now.UTC().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(20251123, 1042))
	phones := make([]string, len(demoCustomers))
	for i := range phones {
		phones[i] = fmt.Sprintf("010-%04d-%04d", 2000+rng.IntN(8000), rng.IntN(10000))
	}

	// Order times: showcase and today's orders are fixed; the rest are
	// spread over the 60 days before today, oldest first.
	today := startOfDay(now, seoul)
	const todays = 4
	n := DemoOrderCount - 3 - todays
	ages := make([]time.Duration, n)
	for i := range ages {
		// Days ago, at a time between 8:00 and 23:30 Seoul time.
		day := 1 + rng.IntN(59)
		ages[i] = time.Duration(day)*24*time.Hour - time.Duration(8*60+rng.IntN(15*60+30))*time.Minute
	}
	slices.SortFunc(ages, func(a, b time.Duration) int { return int((b - a) / time.Second) })
	var orders []Order
	num := 1001
	next := func() string {
		if num == 1042 {
			num = 1045
		}
		s := strconv.Itoa(num)
		num++
		return s
	}
	for _, age := range ages {
		o := demoOrder(rng, next(), today.Add(-age), now, phones)
		orders = append(orders, o)
	}
	// Today's orders: paid, being prepared, paid, waiting for payment.
	sinceMidnight := now.Sub(today)
	for i, st := range []Status{Paid, Preparing, Paid, PendingPayment} {
		at := today.Add(sinceMidnight * time.Duration(i+1) / (todays + 2)).UTC()
		o := demoOrder(rng, next(), at, now, phones)
		o.Status, o.ShippedAt, o.DeliveredAt, o.Carrier, o.TrackingNumber = st, nil, nil, "", ""
		o.PaidAt = nil
		if st != PendingPayment {
			paid := at.Add(min(5*time.Minute, now.Sub(at)/2))
			o.PaidAt = &paid
		}
		orders = append(orders, o)
	}
	return append(orders, showcaseOrders(now)...)
}

// demoOrder is one order placed at `at`, its status following from how
// long ago that was plus a little bad luck.
func demoOrder(rng *rand.Rand, number string, at, now time.Time, phones []string) Order {
	c := rng.IntN(len(demoCustomers))
	o := Order{
		Number: number, CustomerName: demoCustomers[c].name, Phone: phones[c], Email: demoCustomers[c].email,
		OrderedAt: at.UTC(),
	}
	lines := 1 + rng.IntN(3)
	seen := map[int]bool{}
	for range lines {
		p := rng.IntN(len(demoProducts))
		if seen[p] {
			continue
		}
		seen[p] = true
		qty := 1
		if rng.IntN(5) == 0 {
			qty = 2
		}
		o.Items = append(o.Items, Item{SKU: demoProducts[p].SKU, Name: demoProducts[p].Name, Qty: qty, Price: demoProducts[p].Price})
		o.Total += int64(qty) * demoProducts[p].Price
	}
	if o.Total < 50000 {
		o.Total += 3000 // shipping
	}

	paid := at.Add(time.Duration(1+rng.IntN(30)) * time.Minute)
	shipped := paid.Add(time.Duration(12+rng.IntN(30)) * time.Hour)
	delivered := shipped.Add(time.Duration(20+rng.IntN(40)) * time.Hour)
	carrier := demoCarriers[rng.IntN(len(demoCarriers))]
	tracking := trackingNumber(rng, carrier)
	ship := func() {
		o.ShippedAt, o.Carrier, o.TrackingNumber = &shipped, carrier, tracking
	}
	r := rng.Float64()
	switch {
	case r < 0.04:
		if now.Sub(at) < 48*time.Hour {
			o.Status = PendingPayment
		} else {
			o.Status = Cancelled // never paid
		}
	case r < 0.10:
		o.Status, o.PaidAt = Cancelled, &paid
	case r < 0.15:
		o.Status, o.PaidAt = Refunded, &paid
		if delivered.Before(now) {
			ship()
			o.DeliveredAt = &delivered
		}
	case r < 0.20 && delivered.Add(48*time.Hour).Before(now):
		o.Status, o.PaidAt = Returned, &paid
		ship()
		o.DeliveredAt = &delivered
	default:
		o.PaidAt = &paid
		switch {
		case now.Before(paid):
			o.Status, o.PaidAt = PendingPayment, nil
		case now.Before(shipped):
			o.Status = Preparing
			if now.Sub(paid) < 6*time.Hour {
				o.Status = Paid
			}
		case now.Before(delivered):
			o.Status = Shipped
			ship()
		default:
			o.Status = Delivered
			ship()
			o.DeliveredAt = &delivered
		}
	}
	return o
}

// trackingNumber makes up a tracking number of the carrier's usual shape.
func trackingNumber(rng *rand.Rand, carrier string) string {
	digits := func(prefix string, n int) string {
		b := []byte(prefix)
		for len(b) < n {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		return string(b)
	}
	switch carrier {
	case "cj":
		return digits("6", 12)
	case "epost":
		return digits("6", 13)
	case "hanjin":
		return digits("5", 12)
	case "lotte":
		return digits("2", 12)
	case "logen":
		return digits("3", 11)
	case "ups":
		const alnum = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
		b := []byte("1Z")
		for len(b) < 18 {
			b = append(b, alnum[rng.IntN(len(alnum))])
		}
		return string(b)
	}
	return digits("", 10)
}

// showcaseOrders are the orders the README and tests use by number.
func showcaseOrders(now time.Time) []Order {
	at := func(d time.Duration) *time.Time { t := now.Add(d).UTC(); return &t }
	day := 24 * time.Hour
	return []Order{
		{
			Number: "1042", CustomerName: "김민지", Phone: "010-1234-5678", Email: "minji@example.com",
			Status: Shipped, Carrier: "cj", TrackingNumber: "6012345678901",
			Items: []Item{
				{SKU: "TEE-WHT-M", Name: "오버핏 코튼 티셔츠 화이트 M", Qty: 1, Price: 29000},
				{SKU: "BAG-ECO-F", Name: "린넨 에코백", Qty: 1, Price: 19000},
			},
			Total:     48000 + 3000,
			OrderedAt: *at(-3*day + 2*time.Hour), PaidAt: at(-3*day + 2*time.Hour + 4*time.Minute),
			ShippedAt: at(-1 * day),
		},
		{
			Number: "1043", CustomerName: "이준호", Phone: "010-2222-3333", Email: "junho@example.com",
			Status: Preparing,
			Items: []Item{
				{SKU: "TEA-GRN-20", Name: "제주 유기농 녹차 티백 20입", Qty: 2, Price: 12000},
				{SKU: "MUG-CER-WH", Name: "세라믹 머그컵 화이트", Qty: 1, Price: 14000},
			},
			Total:     38000 + 3000,
			OrderedAt: *at(-1*day - 3*time.Hour), PaidAt: at(-1*day - 3*time.Hour + 2*time.Minute),
		},
		{
			Number: "1044", CustomerName: "Emily Park", Phone: "010-9876-5432", Email: "emily@example.com",
			Status: Delivered, Carrier: "hanjin", TrackingNumber: "512345678904",
			Items: []Item{
				{SKU: "CRD-BEI-F", Name: "울 블렌드 가디건 베이지", Qty: 1, Price: 69000},
			},
			Total:     69000,
			OrderedAt: *at(-6 * day), PaidAt: at(-6*day + 10*time.Minute),
			ShippedAt: at(-5 * day), DeliveredAt: at(-3 * day),
		},
	}
}

// DemoSeeded reports whether SeedDemo has filled db, and when: a database
// holding the demo shop's made-up orders is not a real shop's.
func DemoSeeded(ctx context.Context, db sqlx.ExtContext) (at time.Time, seeded bool, err error) {
	v, err := NewStore(db).Meta(ctx, "demo_seeded")
	if err != nil || v == "" {
		return time.Time{}, false, err
	}
	at, _ = time.Parse(time.RFC3339, v)
	return at, true, nil
}
