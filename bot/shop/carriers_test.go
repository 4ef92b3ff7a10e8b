package shop

import "testing"

func TestNormalizeCarrier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CJ대한통운", "cj"}, {"대한통운", "cj"}, {"CJ Logistics", "cj"}, {"cj", "cj"}, {" CJ 대한통운 ", "cj"},
		{"CJ-Logistics", "cj"}, {"우체국", "epost"}, {"우체국택배", "epost"}, {"Korea Post", "epost"}, {"EPOST", "epost"},
		{"한진택배", "hanjin"}, {"한진", "hanjin"}, {"Hanjin Express", "hanjin"},
		{"롯데택배", "lotte"}, {"롯데글로벌로지스", "lotte"}, {"Lotte Global Logistics", "lotte"}, {"현대택배", "lotte"},
		{"로젠택배", "logen"}, {"Logen", "logen"}, {"iLogen", "logen"},
		{"UPS", "ups"}, {"FedEx", "fedex"}, {"Federal Express", "fedex"}, {"페덱스", "fedex"},
		{"DHL", "dhl"}, {"DHL Express", "dhl"}, {"USPS", "usps"}, {"U.S. Postal Service", "usps"},
		{"", ""}, {"쿠팡", ""}, {"택배", ""}, {"\xff\xfe", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeCarrier(tt.in); got != tt.want {
				t.Errorf("NormalizeCarrier(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, code := range CarrierCodes {
		if got := NormalizeCarrier(code); got != code {
			t.Errorf("NormalizeCarrier(%q) = %q, want itself", code, got)
		}
		for _, lang := range []string{"ko", "en"} {
			if got := NormalizeCarrier(CarrierName(code, lang)); got != code {
				t.Errorf("NormalizeCarrier(CarrierName(%q, %q)) = %q, want %q", code, lang, got, code)
			}
		}
	}
}

func TestCarrierName(t *testing.T) {
	tests := []struct{ code, lang, want string }{
		{"cj", "ko", "CJ대한통운"}, {"cj", "", "CJ대한통운"}, {"cj", "en", "CJ Logistics"}, {"cj", "zh", "CJ Logistics"},
		{"epost", "ko", "우체국택배"}, {"epost", "en", "Korea Post"}, {"hanjin", "ko", "한진택배"},
		{"lotte", "ko", "롯데택배"}, {"logen", "ko", "로젠택배"}, {"ups", "ko", "UPS"}, {"fedex", "en", "FedEx"},
		{"dhl", "ko", "DHL"}, {"usps", "en", "USPS"}, {"pigeon", "ko", "pigeon"}, {"", "ko", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.lang, func(t *testing.T) {
			if got := CarrierName(tt.code, tt.lang); got != tt.want {
				t.Errorf("CarrierName(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
			}
		})
	}
}

func TestTrackingURL(t *testing.T) {
	tests := []struct{ code, number, want string }{
		{"cj", "6012345678901", "https://trace.cjlogistics.com/next/tracking.html?wblNo=6012345678901"},
		{"cj", "6012-3456-7890", "https://trace.cjlogistics.com/next/tracking.html?wblNo=601234567890"},
		{"epost", "6123456789012", "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=6123456789012"},
		{"hanjin", "512345678904", "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2=512345678904"},
		{"lotte", "212345678901", "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo=212345678901"},
		{"logen", "31234567890", "https://www.ilogen.com/web/personal/trace/31234567890"},
		{"ups", "1Z999AA10123456784", "https://www.ups.com/track?loc=ko_KR&tracknum=1Z999AA10123456784"},
		{"fedex", "123456789012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"},
		{"dhl", "1234567890", "https://www.dhl.com/kr-ko/home/tracking.html?submit=1&tracking-id=1234567890"},
		{"usps", "9400 1000 0000 0000 0000 00", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000"},
		{"cj", "1&x=<script>", "https://trace.cjlogistics.com/next/tracking.html?wblNo=1%26x%3D%3Cscript%3E"},
		{"logen", "../../admin?x", "https://www.ilogen.com/web/personal/trace/..%2F..%2Fadmin%3Fx"},
		{"cj", "", ""},
		{"cj", " - ", ""},
		{"pigeon", "123", ""},
		{"", "123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.number, func(t *testing.T) {
			if got := TrackingURL(tt.code, tt.number); got != tt.want {
				t.Errorf("TrackingURL(%q, %q) = %q, want %q", tt.code, tt.number, got, tt.want)
			}
		})
	}
	o := Order{Carrier: "cj", TrackingNumber: "6012345678901"}
	if got, want := o.TrackingURL(), TrackingURL("cj", "6012345678901"); got != want {
		t.Errorf("Order.TrackingURL() = %q, want %q", got, want)
	}
}
