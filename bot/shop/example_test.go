package shop_test

import (
	"fmt"

	"github.com/shopbot/shopbot/bot/shop"
)

func ExampleExtractOrderNumber() {
	for _, text := range []string{
		"주문 20251123-0042 어디쯤이에요?",
		"where is my order #1042",
		"010-1234-5678로 35,000원 결제했어요",
	} {
		fmt.Printf("%q\n", shop.ExtractOrderNumber(text, shop.DefaultOrderPattern))
	}
	// Output:
	// "20251123-0042"
	// "1042"
	// ""
}

func ExampleTrackingURL() {
	code := shop.NormalizeCarrier("CJ대한통운")
	fmt.Println(code, shop.CarrierName(code, "en"))
	fmt.Println(shop.TrackingURL(code, "6012-3456-78901"))
	// Output:
	// cj CJ Logistics
	// https://trace.cjlogistics.com/next/tracking.html?wblNo=6012345678901
}

func ExampleFormatWon() {
	fmt.Println(shop.FormatWon(32000), shop.MaskPhone("010-1234-5678"), shop.MaskEmail("minji@example.com"))
	// Output: 32,000원 010-****-5678 m***@example.com
}
