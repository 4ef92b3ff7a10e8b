package talktalk

import (
	"strings"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
)

// Event is a TalkTalk chatbot API event, both ways: what Naver posts to
// the webhook (open, send, leave, friend, echo, handover) and what the bot
// answers or sends (send, handover).
type Event struct {
	Event            string            `json:"event"`
	User             string            `json:"user,omitempty"`
	Partner          string            `json:"partner,omitempty"`
	Standby          bool              `json:"standby,omitempty"`
	EchoedEvent      string            `json:"echoedEvent,omitempty"`
	TextContent      *TextContent      `json:"textContent,omitempty"`
	CompositeContent *CompositeContent `json:"compositeContent,omitempty"`
	Options          *Options          `json:"options,omitempty"`
}

// TextContent is a text message; Code is the code of the button tapped.
type TextContent struct {
	Text      string `json:"text"`
	Code      string `json:"code,omitempty"`
	InputType string `json:"inputType,omitempty"`
}

// CompositeContent is a card (or a carousel of cards) with buttons.
type CompositeContent struct {
	CompositeList []Composite `json:"compositeList"`
}

// Composite is one card.
type Composite struct {
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	ButtonList  []Button `json:"buttonList,omitempty"`
}

// Button is a TEXT button (a tap sends Title as the user's message, with
// Code) or a LINK button.
type Button struct {
	Type string     `json:"type"`
	Data ButtonData `json:"data"`
}

// ButtonData is a button's content.
type ButtonData struct {
	Title     string `json:"title"`
	Code      string `json:"code,omitempty"`
	URL       string `json:"url,omitempty"`
	MobileURL string `json:"mobileUrl,omitempty"`
}

// Options are an event's extra fields.
type Options struct {
	Inflow          string `json:"inflow,omitempty"`
	Friend          *bool  `json:"friend,omitempty"`
	Set             string `json:"set,omitempty"`
	Control         string `json:"control,omitempty"` // handover: passThread, takeThread
	TargetID        int    `json:"targetId,omitempty"`
	Metadata        string `json:"metadata,omitempty"`
	SourceID        int    `json:"sourceId,omitempty"`      // echo: 1 when a partner (the owner) wrote
	ThreadOwnerID   int    `json:"threadOwnerId,omitempty"` // echo: 1 while the partner holds the thread
	ManagerNickname string `json:"managerNickname,omitempty"`
	Notification    bool   `json:"notification,omitempty"`
	Mobile          *bool  `json:"mobile,omitempty"`
}

// PartnerID is the handover target that means the Partner Center (the
// owner's people).
const PartnerID = 1

// Platform limits.
const (
	maxButtonTitle = 18
	maxButtons     = 10
	maxDescription = 1000
	maxText        = 10000
)

// codePrefix marks a button code that carries a FAQ entry.
const codePrefix = "faq:"

// choiceOf reads the FAQ entry a tapped button's code carries.
func choiceOf(code string) string {
	if e, ok := strings.CutPrefix(code, codePrefix); ok {
		return e
	}
	return ""
}

// render turns a chat's replies into one send event (the webhook's
// answer carries one): the texts joined, choices as TEXT buttons whose
// code names the entry, a tracking link as a LINK button.
func render(batch []bot.Reply, handover string) Event {
	var texts []string
	var buttons []Button
	for _, r := range batch {
		text := strings.TrimSpace(r.Text)
		lang := r.Language()
		switch r.Kind {
		case bot.KindOwner:
			text = ownerHeading[lang] + "\n" + text
		case bot.KindTicket, bot.KindHandoff:
			if handover == HandoverPartner && handsOver(r) {
				text += "\n\n" + partnerNotice[lang]
			}
		}
		texts = append(texts, text)
		for _, c := range r.Choices {
			label := c.Label
			if strings.TrimSpace(label) == "" {
				label = c.Entry
			}
			b := Button{Type: "TEXT", Data: ButtonData{Title: bot.Clip(label, maxButtonTitle)}}
			if c.Entry != "" {
				b.Data.Code = codePrefix + c.Entry
			}
			buttons = append(buttons, b)
		}
		if r.Link != "" {
			buttons = append(buttons, Button{Type: "LINK", Data: ButtonData{Title: trackLabel[lang], URL: r.Link, MobileURL: r.Link}})
		}
	}
	text := strings.Join(texts, "\n\n")
	if len(buttons) > 0 && utf8.RuneCountInString(text) <= maxDescription {
		if len(buttons) > maxButtons {
			buttons = buttons[:maxButtons]
		}
		return Event{Event: "send", CompositeContent: &CompositeContent{CompositeList: []Composite{{Description: text, ButtonList: buttons}}}}
	}
	return Event{Event: "send", TextContent: &TextContent{Text: bot.Clip(text, maxText)}}
}

// needsPartner tells a batch that hands the conversation to a person.
func needsPartner(batch []bot.Reply) bool {
	for _, r := range batch {
		if handsOver(r) {
			return true
		}
	}
	return false
}

// handsOver reports whether r hands the conversation to a person: a
// complaint, cancellation or refund ticket, or the customer asking for a
// person (an FAQ entry that says so). A question the bot could not answer
// opens a ticket too, but the bot keeps answering what it can until the
// owner replies (the conversation policy), so that does not pass the
// thread: the owner answers it through shopbot.
func handsOver(r bot.Reply) bool {
	return r.Kind == bot.KindTicket || r.Kind == bot.KindHandoff && r.Entry != ""
}

var ownerHeading = map[string]string{
	"ko": "💬 사장님 답변:",
	"en": "💬 The shop owner replied:",
	"zh": "💬 店主回复：",
}

var trackLabel = map[string]string{"ko": "배송 조회", "en": "Track parcel", "zh": "查询物流"}

var partnerNotice = map[string]string{
	"ko": "지금 상담원에게 연결해 드렸어요. 이 채팅방에서 바로 답변드릴게요.",
	"en": "You're now connected to the shop's staff; they'll answer in this chat.",
	"zh": "已为您转接人工客服，将在此聊天中回复您。",
}

var sorryText = map[string]string{
	"ko": "죄송해요, 지금 답변을 드리기 어려워요. 잠시 후 다시 말씀해 주세요.",
	"en": "Sorry, I can't answer right now. Please try again in a moment.",
	"zh": "抱歉，暂时无法回复，请稍后再试。",
}
