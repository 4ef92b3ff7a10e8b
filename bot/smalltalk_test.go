package bot

import "testing"

func TestReadSocial(t *testing.T) {
	tests := []struct {
		text string
		kind social
		rest string
	}{
		// Greetings, formal and casual, in three languages.
		{"안녕하세요", greeting, ""},
		{"안녕하세요!!", greeting, ""},
		{"안녕하세여~", greeting, ""},
		{"안녕하세용", greeting, ""},
		{"안뇽", greeting, ""},
		{"ㅎㅇ", greeting, ""},
		{"ㅎㅇㅎㅇ", greeting, ""},
		{"하이요 ^^", greeting, ""},
		{"저기요", greeting, ""},
		{"사장님 계세요?", greeting, ""},
		{"hi", greeting, ""},
		{"Hiii!", greeting, ""},
		{"hello there :)", greeting, ""},
		{"Good morning", greeting, ""},
		{"你好", greeting, ""},
		{"您好～", greeting, ""},
		{"在吗", greeting, ""},
		{"亲，在吗？", greeting, ""},
		{"哈喽", greeting, ""},
		// Thanks.
		{"감사합니다", thanks, ""},
		{"감사합니당", thanks, ""},
		{"감사해용", thanks, ""},
		{"고마워요!", thanks, ""},
		{"ㄳ", thanks, ""},
		{"ㄱㅅㄱㅅ", thanks, ""},
		{"답변 감사합니다 😊", thanks, ""},
		{"thx", thanks, ""},
		{"Thank you so much!!", thanks, ""},
		{"cheers", thanks, ""},
		{"ok thanks", thanks, ""},
		{"谢谢亲", thanks, ""},
		{"可以退货吗", notSocial, "可以退货吗"}, // 可以 run into a question is "can", not "ok"
		{"可以， 运费多少", ack, "运费多少"},
		{"好的谢谢", thanks, ""},
		{"多谢", thanks, ""},
		// Goodbyes.
		{"수고하세요", goodbye, ""},
		{"좋은 하루 되세요~", goodbye, ""},
		{"안녕히 계세요", goodbye, ""},
		{"bye!", goodbye, ""},
		{"have a nice day", goodbye, ""},
		{"拜拜", goodbye, ""},
		{"再见", goodbye, ""},
		// Acknowledgements.
		{"네", ack, ""},
		{"넹", ack, ""},
		{"넵넵", ack, ""},
		{"알겠습니다", ack, ""},
		{"ㅇㅋ", ack, ""},
		{"ok", ack, ""},
		{"Okay", ack, ""},
		{"got it", ack, ""},
		{"好的", ack, ""},
		{"嗯嗯", ack, ""},
		// Laughter and emoji.
		{"ㅋㅋㅋ", laughter, ""},
		{"ㅋㅋㅋㅋㅋㅋㅋ", laughter, ""},
		{"ㅎㅎ", laughter, ""},
		{"ㅠㅠ", laughter, ""},
		{"haha", laughter, ""},
		{"hahahaha", laughter, ""},
		{"lol", laughter, ""},
		{"哈哈哈哈", laughter, ""},
		{"😀😀😀", emojiOnly, ""},
		{"👍", emojiOnly, ""},
		{"?", emojiOnly, ""},
		{"...", emojiOnly, ""},
		// Several at once: the greeting leads.
		{"안녕하세요 감사합니다", greeting, ""},
		{"네 감사합니다 ㅎㅎ", thanks, ""},
		{"hi, thanks", greeting, ""},
		// A greeting or thanks around a question leaves the question.
		{"안녕하세요 배송비 얼마예요?", greeting, "배송비 얼마예요?"},
		{"안녕하세요! 주문 1042 어디쯤이에요?", greeting, "주문 1042 어디쯤이에요?"},
		{"ㅎㅇ 택배 언제 와요", greeting, "택배 언제 와요"},
		{"배송비 얼마예요? 감사합니다", thanks, "배송비 얼마예요?"},
		{"hi, how much is shipping?", greeting, "how much is shipping?"},
		{"Hello! where is my order 1044", greeting, "where is my order 1044"},
		{"你好，运费多少钱？", greeting, "运费多少钱?"},
		{"在吗 还有货吗", greeting, "还有货吗"},
		{"亲，运费多少", greeting, "运费多少"},
		{"물건이 깨져서 왔어요 ㅠㅠ", laughter, "물건이 깨져서 왔어요"},
		// Not social: words that only begin like a greeting, or questions.
		{"배송 언제 와요?", notSocial, "배송 언제 와요?"},
		{"네이비 재고 있어요?", notSocial, "네이비 재고 있어요?"},
		{"history of my order", notSocial, "history of my order"},
		{"hiking boots", notSocial, "hiking boots"},
		{"早点发货", notSocial, "早点发货"},
		{"is it good?", notSocial, "is it good?"},
		{"감사 인사가 늦었네요 교환 되나요", thanks, "인사가 늦었네요 교환 되나요"},
		{"안녕하세요배송비얼마예요", notSocial, "안녕하세요배송비얼마예요"},
		{"", notSocial, ""},
	}
	for _, tt := range tests {
		kind, rest := readSocial(tt.text)
		if kind != tt.kind || rest != tt.rest {
			t.Errorf("readSocial(%q) = %q, %q; want %q, %q", tt.text, kind, rest, tt.kind, tt.rest)
		}
	}
}

func TestChatty(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"오늘 날씨 어때요?", true},
		{"뭐해요?", true},
		{"심심해", true},
		{"너 봇이야?", true},
		{"how are you?", true},
		{"what's up", true},
		{"are you a bot?", true},
		{"今天天气怎么样", true},
		{"你是机器人吗", true},
		{"배송 언제 와요?", false},
		{"is this supper club shipping?", false}, // "sup" is a whole word only
		{"how much is shipping", false},
		{"运费多少钱", false},
	}
	for _, tt := range tests {
		if got := chatty(tt.text); got != tt.want {
			t.Errorf("chatty(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestShortText(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"오늘 기분 최고", true},
		{"뭐 먹지", true},
		{"so bored today", true},
		{"今天好开心", true},
		{"Can you recommend a good restaurant nearby?", false},
		{"우리 동네에 맛있는 식당 추천해 주실 수 있나요", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := shortText(tt.text); got != tt.want {
			t.Errorf("shortText(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
