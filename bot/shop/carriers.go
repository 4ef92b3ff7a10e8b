package shop

import (
	"net/url"
	"strings"
	"unicode"
)

type carrier struct {
	ko, en string
	url    func(number string) string
}

func queryURL(prefix string) func(string) string {
	return func(n string) string { return prefix + url.QueryEscape(n) }
}

// carriers are the couriers the bot knows, by code.
var carriers = map[string]carrier{
	"cj":     {"CJ대한통운", "CJ Logistics", queryURL("https://trace.cjlogistics.com/next/tracking.html?wblNo=")},
	"epost":  {"우체국택배", "Korea Post", queryURL("https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=")},
	"hanjin": {"한진택배", "Hanjin Express", queryURL("https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2=")},
	"lotte":  {"롯데택배", "Lotte Global Logistics", queryURL("https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo=")},
	"logen": {"로젠택배", "Logen", func(n string) string {
		return "https://www.ilogen.com/web/personal/trace/" + url.PathEscape(n)
	}},
	"ups":   {"UPS", "UPS", queryURL("https://www.ups.com/track?loc=ko_KR&tracknum=")},
	"fedex": {"페덱스", "FedEx", queryURL("https://www.fedex.com/fedextrack/?trknbr=")},
	"dhl":   {"DHL", "DHL", queryURL("https://www.dhl.com/kr-ko/home/tracking.html?submit=1&tracking-id=")},
	"usps":  {"USPS", "USPS", queryURL("https://tools.usps.com/go/TrackConfirmAction?tLabels=")},
}

// CarrierCodes lists the carrier codes the bot knows.
var CarrierCodes = []string{"cj", "epost", "hanjin", "lotte", "logen", "ups", "fedex", "dhl", "usps"}

// carrierAliases maps folded names (lower case, no spaces or punctuation)
// to codes.
var carrierAliases = map[string]string{
	"cj": "cj", "cj대한통운": "cj", "대한통운": "cj", "cjlogistics": "cj", "cj택배": "cj", "cjgls": "cj",
	"cjkoreaexpress": "cj", "koreaexpress": "cj", "씨제이": "cj", "씨제이대한통운": "cj",
	"epost": "epost", "우체국": "epost", "우체국택배": "epost", "우체국소포": "epost", "우편": "epost", "등기": "epost",
	"koreapost": "epost", "epostkorea": "epost", "kpost": "epost",
	"hanjin": "hanjin", "한진": "hanjin", "한진택배": "hanjin", "hanjinexpress": "hanjin", "hanjintransportation": "hanjin",
	"lotte": "lotte", "롯데": "lotte", "롯데택배": "lotte", "롯데글로벌로지스": "lotte", "lotteglogis": "lotte",
	"lotteglobal": "lotte", "lottegloballogistics": "lotte", "lottelogistics": "lotte", "현대택배": "lotte",
	"logen": "logen", "로젠": "logen", "로젠택배": "logen", "ilogen": "logen", "logenlogistics": "logen",
	"ups": "ups", "unitedparcelservice": "ups",
	"fedex": "fedex", "페덱스": "fedex", "federalexpress": "fedex",
	"dhl": "dhl", "디에이치엘": "dhl", "dhlexpress": "dhl",
	"usps": "usps", "uspostalservice": "usps", "unitedstatespostalservice": "usps", "미국우체국": "usps",
}

// NormalizeCarrier turns a carrier's name as a person or a shop platform
// writes it ("CJ대한통운", "대한통운", "CJ Logistics", "우체국택배") into its
// code ("cj", "epost"); an unknown name gives "".
func NormalizeCarrier(s string) string {
	if len(s) > 100 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return carrierAliases[b.String()]
}

// CarrierName is a carrier's name for customers: Korean for "ko" (the
// default), English otherwise ("CJ대한통운" / "CJ Logistics"). An unknown
// code is returned as it is.
func CarrierName(code, lang string) string {
	c, ok := carriers[code]
	if !ok {
		return code
	}
	if langIndex(lang) == 0 {
		return c.ko
	}
	return c.en
}

// TrackingURL is the carrier's public tracking page for a tracking number
// (spaces and dashes dropped, query-escaped), or "" when the carrier is
// unknown or the number empty.
func TrackingURL(code, number string) string {
	c, ok := carriers[code]
	if !ok {
		return ""
	}
	n := strings.Map(func(r rune) rune {
		if r = foldDigits(r); r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, number)
	if n == "" {
		return ""
	}
	return c.url(n)
}
