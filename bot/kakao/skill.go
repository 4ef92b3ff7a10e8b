package kakao

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
)

// SkillRequest is what Kakao's chatbot platform posts to a skill (the
// fields shopbot reads; the platform sends more).
type SkillRequest struct {
	Intent struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"intent"`
	UserRequest struct {
		Timezone  string `json:"timezone"`
		Utterance string `json:"utterance"`
		Lang      string `json:"lang"`
		// CallbackURL is set when the block has the callback option (an
		// AI chatbot): a one-shot URL valid for a minute.
		CallbackURL string `json:"callbackUrl,omitempty"`
		User        User   `json:"user"`
	} `json:"userRequest"`
	Bot struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"bot"`
	Action struct {
		ID          string         `json:"id"`
		Name        string         `json:"name"`
		Params      map[string]any `json:"params"`
		ClientExtra map[string]any `json:"clientExtra"`
	} `json:"action"`
}

// User is the sender of a skill request.
type User struct {
	ID         string         `json:"id"`   // the botUserKey
	Type       string         `json:"type"` // "botUserKey"
	Properties map[string]any `json:"properties"`
}

// SkillResponse is a skill's answer (version 2.0).
type SkillResponse struct {
	Version     string            `json:"version"`
	Template    *Template         `json:"template,omitempty"`
	UseCallback bool              `json:"useCallback,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
}

// Template is what the customer sees: at most MaxOutputs outputs and
// MaxQuickReplies quick replies.
type Template struct {
	Outputs      []Output     `json:"outputs"`
	QuickReplies []QuickReply `json:"quickReplies,omitempty"`
}

// Output is one speech bubble: exactly one field is set.
type Output struct {
	SimpleText *SimpleText `json:"simpleText,omitempty"`
	TextCard   *TextCard   `json:"textCard,omitempty"`
}

// SimpleText is a text bubble.
type SimpleText struct {
	Text string `json:"text"`
}

// TextCard is a text bubble with buttons (no image needed, unlike basicCard).
type TextCard struct {
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description"`
	Buttons     []Button `json:"buttons,omitempty"`
}

// Button is a card's button; shopbot uses web links.
type Button struct {
	Label      string `json:"label"`
	Action     string `json:"action"`
	WebLinkURL string `json:"webLinkUrl,omitempty"`
}

// QuickReply is a button under the bubbles; a tap sends MessageText as the
// customer's utterance, with Extra as the request's clientExtra.
type QuickReply struct {
	Label       string         `json:"label"`
	Action      string         `json:"action"`
	MessageText string         `json:"messageText"`
	Extra       map[string]any `json:"extra,omitempty"`
}

// Platform limits (skill response 2.0).
const (
	MaxOutputs      = 3
	MaxQuickReplies = 10
	maxLabel        = 14   // quick reply label, characters
	maxSimpleText   = 1000 // simpleText shows this much before "read more"
	maxCardText     = 400  // textCard description
)

// extraEntry is the clientExtra key of a tapped FAQ choice.
const extraEntry = "entry"

// choiceOf reads the FAQ entry a tap carries.
func choiceOf(extra map[string]any) string {
	if s, ok := extra[extraEntry].(string); ok {
		return s
	}
	return ""
}

// Notice says how the owner's later answers reach a Kakao customer.
type Notice int

// How owner replies reach the customer.
const (
	NoticeHeld  Notice = iota // at the top of the customer's next reply
	NoticeEvent               // pushed by the Event API
)

// render turns a chat's pending replies into one skill response: held
// owner answers first (they are older), each with a heading; choices as
// quick replies; an order with a tracking link as a card with a button.
// More than MaxOutputs bubbles are joined into the last one.
func render(batch []bot.Reply, notice Notice) SkillResponse {
	var outs []Output
	var quick []QuickReply
	for _, r := range batch {
		text := strings.TrimSpace(r.Text)
		lang := r.Language()
		switch r.Kind {
		case bot.KindOwner:
			text = ownerHeading[lang] + "\n" + text
		case bot.KindTicket, bot.KindHandoff:
			text += "\n\n" + noticeText[notice][lang]
		}
		switch {
		case r.Link != "" && utf8.RuneCountInString(text) <= maxCardText:
			outs = append(outs, Output{TextCard: &TextCard{Description: text,
				Buttons: []Button{{Label: trackLabel[lang], Action: "webLink", WebLinkURL: r.Link}}}})
		default:
			outs = append(outs, Output{SimpleText: &SimpleText{Text: text}})
		}
		for _, c := range r.Choices {
			if len(quick) == MaxQuickReplies {
				break
			}
			label := c.Label
			if strings.TrimSpace(label) == "" {
				label = c.Entry
			}
			qr := QuickReply{Label: bot.Clip(label, maxLabel), Action: "message", MessageText: label}
			if c.Entry != "" {
				qr.Extra = map[string]any{extraEntry: c.Entry}
			}
			quick = append(quick, qr)
		}
	}
	if len(outs) > MaxOutputs {
		var rest []string
		for _, o := range outs[MaxOutputs-1:] {
			rest = append(rest, o.text())
		}
		outs = append(outs[:MaxOutputs-1], Output{SimpleText: &SimpleText{Text: strings.Join(rest, "\n\n")}})
	}
	return SkillResponse{Version: "2.0", Template: &Template{Outputs: outs, QuickReplies: quick}}
}

func (o Output) text() string {
	switch {
	case o.SimpleText != nil:
		return o.SimpleText.Text
	case o.TextCard != nil:
		s := o.TextCard.Description
		for _, b := range o.TextCard.Buttons {
			if b.WebLinkURL != "" && !strings.Contains(s, b.WebLinkURL) {
				s += "\n" + b.WebLinkURL
			}
		}
		return s
	}
	return ""
}

// textResponse is a response of one text bubble.
func textResponse(text string) SkillResponse {
	return SkillResponse{Version: "2.0", Template: &Template{Outputs: []Output{{SimpleText: &SimpleText{Text: text}}}}}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the response types always encode
	}
	return b
}

var ownerHeading = map[string]string{
	"ko": "💬 사장님 답변이 도착했어요:",
	"en": "💬 The shop owner replied:",
	"zh": "💬 店主回复了：",
}

var trackLabel = map[string]string{"ko": "배송 조회", "en": "Track parcel", "zh": "查询物流"}

// noticeText tells the customer how the owner's answer will reach them.
var noticeText = map[Notice]map[string]string{
	NoticeHeld: {
		"ko": "카카오톡은 저희가 먼저 메시지를 보낼 수 없어요. 사장님 답변이 오면, 다음에 아무 메시지나 보내 주실 때 맨 위에 보여드릴게요.",
		"en": "KakaoTalk doesn't let us message you first: once the owner answers, you'll see it at the top of the reply to your next message.",
		"zh": "KakaoTalk 不允许我们主动发消息：店主回复后，您下次发送任意消息时会在最上方看到回复。",
	},
	NoticeEvent: {
		"ko": "사장님 답변은 이 채팅방으로 바로 보내드릴게요.",
		"en": "The owner's answer will be sent to this chat as soon as it's written.",
		"zh": "店主的回复会直接发送到这个聊天。",
	},
}

// busyText answers a request the engine could not finish within the
// platform's deadline: the answer is kept and comes with the next reply.
var busyText = map[string]string{
	"ko": "답변을 준비하는 데 시간이 조금 걸리고 있어요. 잠시 후 아무 메시지나 보내 주시면 바로 보여드릴게요.",
	"en": "Your answer is taking a moment. Send any message shortly and it will be shown right away.",
	"zh": "正在准备答复，请稍后发送任意消息即可看到。",
}

// waitText is the bubble shown while a callback answer is prepared.
var waitText = map[string]string{
	"ko": "잠시만 기다려 주세요. 답변을 준비하고 있어요.",
	"en": "One moment, preparing your answer.",
	"zh": "请稍候，正在准备答复。",
}

// sorryText answers a request that failed (the store is away).
var sorryText = map[string]string{
	"ko": "죄송해요, 지금 답변을 드리기 어려워요. 잠시 후 다시 말씀해 주세요.",
	"en": "Sorry, I can't answer right now. Please try again in a moment.",
	"zh": "抱歉，暂时无法回复，请稍后再试。",
}

// passedText answers a message the bot stays silent on (a person has the
// conversation): Kakao shows an error for a response with no bubble.
var passedText = map[string]string{
	"ko": "메시지를 담당자에게 전달했어요.",
	"en": "I've passed your message on.",
	"zh": "已将您的消息转交工作人员。",
}
