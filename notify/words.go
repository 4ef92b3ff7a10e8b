package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot/shop"
)

// wordsFor is the owner-facing text in lang: "ko", "en" or "zh"; anything
// else is English.
func wordsFor(lang string) map[string]string {
	if w, ok := words[baseLang(lang)]; ok {
		return w
	}
	return words["en"]
}

func baseLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

var words = map[string]map[string]string{
	"ko": {
		"title":        "📋 %s · %s 요약",
		"title_week":   "📋 %s · 주간 요약 (%s–%s)",
		"todo":         "👉 할 일: %s",
		"todo_overdue": "답변 기한 지난 문의 %d건",
		"todo_urgent":  "긴급 문의 %d건",
		"todo_unship":  "미발송 주문 %d건",
		"todo_out":     "품절 %d개",
		"sales":        "💰 주문 %[1]d건 · 매출 %[3]s",
		"vs_prev":      "어제 대비 %s",
		"vs_prev_none": "어제는 매출 없음",
		"vs_week_none": "지난주는 매출 없음",
		"vs_day_none":  "지난주 %s요일은 매출 없음",
		"vs_prev_week": "지난주 대비 %s",
		"vs_weekday":   "지난주 %s요일 대비 %s",
		"spark":        "📈 최근 14일 매출 %s",
		"top":          "🏆 %s",
		"cancelled":    "↩️ 취소 %d건 · 환불 %d건",
		"unshipped":    "📦 결제 후 %[1]d일 넘게 발송 안 된 주문 %[3]d건: %[4]s",
		"unship_item":  "%s %s (%d일째)",
		"tickets":      "🎫 문의: 새로 %d · 해결 %d · 열림 %d%s",
		"overdue":      " · 기한 초과 %d",
		"response":     "⏱ 첫 응답 중앙값 %s",
		"bot_share":    "🤖 사람 없이 답한 대화 %d%% (%d/%d)",
		"questions":    "❓ 답하지 못한 질문 (최근 7일, FAQ 후보):",
		"low":          "⚠️ 재고 부족 %d: %s",
		"quiet_day":    "오늘은 주문도 문의도 없었어요.",
		"digest_more":  "➕ 알림 %[1]d건 더 (시간당 %[3]d건 한도를 넘어 모아서 보냄)",
		"digest_quiet": "🌙 방해 금지 시간에 모인 알림 %[1]d건",
		"digest_fold":  "🔁 업데이트 %[1]d건",
		"stock_out":    "🚫 품절: %s (%s) — 재고 0, 판매가 멈췄어요",
		"stock_low":    "⚠️ 재고 부족: %s (%s) — %d개 남음 (안전 재고 %d)",
		"sla_warning":  "⏰ #%s 첫 응답 기한까지 %s 남음 (%s) — %s",
		"sla_missed":   "🔴 #%s 첫 응답 기한을 넘겼어요 (%s 지남, %s) — %s",
		"stuck":        "🛑 %s 채널이 %s째 메시지를 보내지 못하고 있어요 (대기 %d건). 토큰·차단·네트워크를 확인해 주세요.",
		"late":         "(늦게 보냄: %s 예정이었음)",
		"min":          "%d분",
		"hour_min":     "%d시간 %d분",
		"hour":         "%d시간",
		"day":          "%d일",
		"urgent":       "긴급",
		"high":         "높음",
		"normal":       "보통",
		"low_p":        "낮음",
		"weekdays":     "일월화수목금토",
		"date":         "1월 2일",
	},
	"en": {
		"title":        "📋 %s · summary for %s",
		"title_week":   "📋 %s · weekly summary (%s–%s)",
		"todo":         "👉 To do: %s",
		"todo_overdue": "overdue tickets %d",
		"todo_urgent":  "urgent tickets %d",
		"todo_unship":  "unshipped orders %d",
		"todo_out":     "sold out %d",
		"sales":        "💰 %d %s · revenue %s",
		"vs_prev":      "%s vs yesterday",
		"vs_prev_none": "none yesterday",
		"vs_week_none": "none the week before",
		"vs_day_none":  "none last %s",
		"vs_prev_week": "%s vs the week before",
		"vs_weekday":   "%[2]s vs last %[1]s",
		"spark":        "📈 revenue, last 14 days %s",
		"top":          "🏆 %s",
		"cancelled":    "↩️ %d cancelled · %d refunded",
		"unshipped":    "📦 paid over %d %s ago and not shipped: %d — %s",
		"unship_item":  "%s %s (day %d)",
		"tickets":      "🎫 Tickets: %d new · %d resolved · %d open%s",
		"overdue":      " · %d overdue",
		"response":     "⏱ median first response %s",
		"bot_share":    "🤖 answered without a person: %d%% of conversations (%d/%d)",
		"questions":    "❓ Questions the bot could not answer (last 7 days, FAQ candidates):",
		"low":          "⚠️ Low stock %d: %s",
		"quiet_day":    "No orders and no tickets today.",
		"digest_more":  "➕ %d more %s (over the limit of %d an hour, folded into one)",
		"digest_quiet": "🌙 %d %s from quiet hours",
		"digest_fold":  "🔁 %d %s",
		"stock_out":    "🚫 Sold out: %s (%s) — stock 0, sales have stopped",
		"stock_low":    "⚠️ Low stock: %s (%s) — %d left (safety stock %d)",
		"sla_warning":  "⏰ #%s: %s left to answer in time (%s) — %s",
		"sla_missed":   "🔴 #%s missed its first-response time (%s ago, %s) — %s",
		"stuck":        "🛑 The %s channel has not been able to send for %s (%d waiting). Check its token, a block, or the network.",
		"late":         "(sent late: due %s)",
		"min":          "%d min",
		"hour_min":     "%d h %d min",
		"hour":         "%d h",
		"day":          "%d d",
		"urgent":       "urgent",
		"high":         "high",
		"normal":       "normal",
		"low_p":        "low",
		"weekdays":     "",
		"date":         "Mon 2 Jan",
	},
	"zh": {
		"title":        "📋 %s · %s摘要",
		"title_week":   "📋 %s · 每周摘要（%s–%s）",
		"todo":         "👉 待办：%s",
		"todo_overdue": "超时工单 %d 个",
		"todo_urgent":  "紧急工单 %d 个",
		"todo_unship":  "未发货订单 %d 笔",
		"todo_out":     "售罄 %d 件",
		"sales":        "💰 订单 %[1]d 笔 · 销售额 %[3]s",
		"vs_prev":      "较昨日 %s",
		"vs_prev_none": "昨日无销售",
		"vs_week_none": "上周无销售",
		"vs_day_none":  "上%s无销售",
		"vs_prev_week": "较上周 %s",
		"vs_weekday":   "较上%s %s",
		"spark":        "📈 近 14 天销售额 %s",
		"top":          "🏆 %s",
		"cancelled":    "↩️ 取消 %d 笔 · 退款 %d 笔",
		"unshipped":    "📦 付款超过 %[1]d 天仍未发货：%[3]d 笔 — %[4]s",
		"unship_item":  "%s %s（第 %d 天）",
		"tickets":      "🎫 工单：新增 %d · 已解决 %d · 未结 %d%s",
		"overdue":      " · 超时 %d",
		"response":     "⏱ 首次响应中位数 %s",
		"bot_share":    "🤖 无需人工即答复的对话 %d%%（%d/%d）",
		"questions":    "❓ 机器人未能回答的问题（近 7 天，可加入 FAQ）：",
		"low":          "⚠️ 库存不足 %d：%s",
		"quiet_day":    "今天没有订单，也没有工单。",
		"digest_more":  "➕ 另有 %[1]d 条提醒（超过每小时 %[3]d 条上限，合并发送）",
		"digest_quiet": "🌙 免打扰时段内的 %[1]d 条提醒",
		"digest_fold":  "🔁 %[1]d 条更新",
		"stock_out":    "🚫 售罄：%s（%s）— 库存 0，已无法销售",
		"stock_low":    "⚠️ 库存不足：%s（%s）— 剩 %d 件（安全库存 %d）",
		"sla_warning":  "⏰ #%s 距首次响应时限还剩 %s（%s）— %s",
		"sla_missed":   "🔴 #%s 已超过首次响应时限（超出 %s，%s）— %s",
		"stuck":        "🛑 %s 渠道已有 %s 无法发送消息（待发 %d 条）。请检查令牌、屏蔽或网络。",
		"late":         "（延迟发送：原定 %s）",
		"min":          "%d 分钟",
		"hour_min":     "%d 小时 %d 分钟",
		"hour":         "%d 小时",
		"day":          "%d 天",
		"urgent":       "紧急",
		"high":         "高",
		"normal":       "普通",
		"low_p":        "低",
		"weekdays":     "日一二三四五六",
		"date":         "1月2日",
	},
}

// weekday is the day's short name in lang.
func weekday(d time.Weekday, lang string) string {
	w := []rune(wordsFor(lang)["weekdays"])
	if len(w) == 7 {
		if baseLang(lang) == "zh" {
			return "周" + string(w[d])
		}
		return string(w[d])
	}
	return d.String()[:3]
}

// date is a local day in lang, with its weekday: "11월 23일 (월)",
// "Mon 23 Nov", "11月23日（周一）".
func date(t time.Time, lang string) string {
	switch baseLang(lang) {
	case "ko":
		return fmt.Sprintf("%d월 %d일 (%s)", t.Month(), t.Day(), weekday(t.Weekday(), lang))
	case "zh":
		return fmt.Sprintf("%d月%d日（%s）", t.Month(), t.Day(), weekday(t.Weekday(), lang))
	}
	return t.Format("Mon 2 Jan")
}

// shortDate is a day without its weekday.
func shortDate(t time.Time, lang string) string {
	switch baseLang(lang) {
	case "ko":
		return fmt.Sprintf("%d월 %d일", t.Month(), t.Day())
	case "zh":
		return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
	}
	return t.Format("2 Jan")
}

// duration is d in words, to the minute: "42분", "1 h 5 min", "3 天".
func duration(d time.Duration, lang string) string {
	w := wordsFor(lang)
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h >= 48:
		return fmt.Sprintf(w["day"], h/24)
	case h == 0:
		return fmt.Sprintf(w["min"], m)
	case m == 0:
		return fmt.Sprintf(w["hour"], h)
	}
	return fmt.Sprintf(w["hour_min"], h, m)
}

// money is an amount of won for the owner: "123,000원", "₩123,000".
func money(won int64, lang string) string {
	if baseLang(lang) == "ko" {
		return shop.FormatWon(won)
	}
	return "₩" + strings.TrimSuffix(shop.FormatWon(won), "원")
}

// noun is an English noun for a count: "1 order", "2 orders". Korean and
// Chinese words (건, 笔) do not change, and their texts leave it out.
func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// priorityLabel is a ticket priority in lang.
func priorityLabel(p, lang string) string {
	if p == "low" {
		p = "low_p"
	}
	if s, ok := wordsFor(lang)[p]; ok {
		return s
	}
	return p
}
