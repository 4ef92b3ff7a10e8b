package slack

import "fmt"

// labels are the words of the Slack messages, per owner language; English
// is the fallback.
var labels = map[string]map[string]string{
	"en": {
		"refused":   "Sorry, only the shop's owners can use this command here.",
		"failed":    "Sorry, that did not work. Please try again in a moment.",
		"ticket":    "%s #%s · %s",
		"customer":  "Customer",
		"order":     "Order",
		"status":    "Status",
		"due":       "First response due",
		"close":     "Close",
		"claim":     "Claim",
		"confirm":   "Close ticket #%d?",
		"yes":       "Close it",
		"no":        "Cancel",
		"hint":      "Reply in this thread to answer the customer.",
		"summary":   "Daily summary",
		"none":      "—",
		"forgotten": "ticket #%d",
	},
	"ko": {
		"refused":   "죄송해요, 이 명령은 가게 관리자만 쓸 수 있어요.",
		"failed":    "죄송해요, 처리하지 못했어요. 잠시 후 다시 해 주세요.",
		"ticket":    "%s #%s · %s",
		"customer":  "고객",
		"order":     "주문",
		"status":    "상태",
		"due":       "첫 응답 기한",
		"close":     "종료",
		"claim":     "담당하기",
		"confirm":   "#%d 티켓을 종료할까요?",
		"yes":       "종료",
		"no":        "취소",
		"hint":      "이 스레드에 답하면 고객에게 전달돼요.",
		"summary":   "일일 요약",
		"none":      "—",
		"forgotten": "티켓 #%d",
	},
	"zh": {
		"refused":   "抱歉，只有店主可以在这里使用此命令。",
		"failed":    "抱歉，操作没有成功，请稍后再试。",
		"ticket":    "%s #%s · %s",
		"customer":  "顾客",
		"order":     "订单",
		"status":    "状态",
		"due":       "首次回复期限",
		"close":     "关闭",
		"claim":     "认领",
		"confirm":   "关闭工单 #%d？",
		"yes":       "关闭",
		"no":        "取消",
		"hint":      "在此话题中回复即可转达给顾客。",
		"summary":   "每日摘要",
		"none":      "—",
		"forgotten": "工单 #%d",
	},
}

// label returns the owner-language text of key, formatted with args.
func label(lang, key string, args ...any) string {
	s, ok := labels[lang][key]
	if !ok {
		s = labels["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
