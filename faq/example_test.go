package faq_test

import (
	"fmt"

	"github.com/shopbot/shopbot/faq"
)

func Example() {
	f, err := faq.Parse("faq.yaml", []byte(`version: 1
language: ko
entries:
  - id: hours
    questions:
      - 영업시간이 어떻게 돼요?
      - 몇 시까지 해요
      - what are your opening hours
    answer: "{{.Shop.Hours}} 운영해요."
    answers:
      en: "We are open {{.Shop.Hours}}."
  - id: shipping-fee
    questions:
      - 배송비 얼마예요?
      - how much is shipping
    answer: 배송비는 3,000원이에요.
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := faq.NewMatcher(f)
	q := "영업시간이 어떻게 되나요?"
	r := m.Match(q)
	if r.Decision == faq.Answer {
		text, _ := r.Best.Render(faq.DetectLanguage(q), faq.Data{Shop: faq.Shop{Hours: "평일 10시~17시"}})
		fmt.Println(text)
	}
	// Output: 평일 10시~17시 운영해요.
}
