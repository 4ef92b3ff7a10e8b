package tickets

// The cue lists Classify uses. A cue with a Latin letter (or written "=…")
// matches whole words; "…*" lets its last word continue. Any other cue
// matches anywhere, ignoring spaces and punctuation. testdata/classify.jsonl
// holds the cases they are checked against: add a case there with any cue.

// problemRules, in precedence order: the first rule that matches wins over
// later ones (escalation is urgent; abuse and feedback are low).
var problemRules = []problemRule{
	{cat: Escalation, label: "legal", cues: cues(
		"소비자원", "소비자보호원", "공정위", "공정거래위원회", "신고할", "신고하겠", "신고합니다", "신고했", "신고해버", "신고하려",
		"고소할", "고소하겠", "고소합니다", "고소장", "고소당", "고발", "변호사", "법적", "소송", "경찰에", "경찰서", "경찰신고",
		"lawyer*", "attorney", "sue you", "sue your", "sue the", "sue this", "will sue", "gonna sue", "going to sue", "suing", "legal action",
		"chargeback*", "charge back", "call the police", "calling the police", "contact the police", "police report", "report to the police", "go to the police",
		"bbb", "better business bureau", "report you", "reporting you", "consumer protection",
		"投诉", "报警", "律师", "起诉", "消协", "消费者协会", "叫警察", "找警察",
	)},
	{cat: Escalation, label: "fraud", cues: cues(
		"사기꾼", "사기치", "사기당", "사기야", "사기네", "사기죠", "사기같", "사기에요", "사기예요", "사기잖", "사기업체",
		"사기사이트", "사기몰", "사기판매", "사기아냐", "사기아닌", "사기아니", "사기였", "사기임", "완전사기",
		"scam*", "fraud*", "rip off", "ripoff", "ripped me off", "stole my money", "steal my money",
		"骗子", "诈骗", "骗钱", "骗人",
	)},
	{cat: Escalation, label: "safety", cues: cues(
		"다쳤", "다쳐서", "다침", "화상", "알레르기반응", "알러지반응", "알레르기가생", "알레르기가났", "두드러기", "응급실",
		"병원에갔", "병원갔", "병원에실려", "피가났", "피가나", "폭발", "불이났", "연기가나",
		"injured", "injury", "injuries", "hurt myself", "got hurt", "cut myself", "burned", "burnt myself", "got burnt", "burns",
		"allergic reaction", "in the hospital", "to the hospital", "to hospital", "hospitalized", "hospitalised", "emergency room",
		"caught fire", "exploded", "explode",
		"受伤", "烫伤", "过敏反应", "过敏了", "着火", "爆炸", "住院", "进医院",
	)},
	{cat: Escalation, label: "threat", cues: cues(
		"죽여버", "죽인다", "죽일거", "죽일꺼", "죽여줄까", "가만안둬", "가만두지않", "찾아가서죽",
		"kill you", "hurt you", "find you", "beat you",
		"杀了你", "弄死", "打死你",
	)},
	{cat: Complaint, label: "damaged", guard: true, cues: cues(
		"파손", "깨졌", "깨져", "깨진", "찢어", "찢겨", "찢긴", "부서", "망가", "찌그러", "금이갔", "금이가", "터져서", "터졌", "새어", "샜어", "흠집", "스크래치", "얼룩",
		"damag*", "broken", "broke", "cracked", "torn", "ripped", "smashed", "shattered", "dented", "leaking", "leaked", "scratched",
		"坏了", "破损", "破了", "碎了", "损坏", "摔坏", "压坏", "漏了",
	)},
	{cat: Complaint, label: "defective", guard: true, cues: cues(
		"불량", "고장", "작동안", "작동이안", "작동하지않", "작동을안", "충전이안", "충전안", "전원이안", "전원안", "연결이안", "인식이안", "인식안",
		"안켜", "켜지지않", "켜지지가않", "안켜져", "먹통", "전원이꺼", "저절로꺼", "자꾸꺼", "하자",
		"defect*", "faulty", "doesnt work", "does not work", "didnt work", "not working", "stopped working", "wont turn on",
		"will not turn on", "doesnt turn on", "malfunction*", "dead on arrival",
		"质量问题", "不能用", "用不了", "没法用", "不工作", "故障", "次品",
	)},
	{cat: Complaint, label: "wrong item", guard: true, cues: cues(
		"다른상품", "다른제품", "다른물건", "다른게왔", "다른거왔", "다른걸보내", "잘못왔", "잘못온", "잘못배송", "잘못보내", "잘못발송", "오배송",
		"주문한거랑다르", "주문한것과다르", "주문한거와다르", "주문한게아니", "사이즈가다르", "색상이다르", "색깔이다르",
		"wrong item", "wrong size", "wrong color", "wrong colour", "wrong product", "wrong order", "wrong one", "wrong thing",
		"not what i ordered", "sent me the wrong", "different item", "different product",
		"发错", "错发", "寄错", "不是我买的", "不是我订的", "颜色不对", "尺码不对",
	)},
	{cat: Complaint, label: "missing", guard: true, cues: cues(
		"누락", "빠졌", "빠져있", "안들어있", "없어요구성", "구성품이없", "하나만왔", "개만왔", "한개만왔", "덜왔", "덜들어",
		"missing", "not included", "only received one", "only got one", "half of my order", "incomplete order",
		"少了", "少发", "漏发", "缺少", "缺了", "没发全",
	)},
	{cat: Complaint, label: "late", guard: true, cues: cues(
		"아직도안", "아직도배송", "아직도못받", "배송너무늦", "너무늦", "늦어요", "늦네", "늦는데", "늦어지고있", "지연", "언제까지기다", "감감무소식",
		"일째안", "일째배송", "주째안", "일주일째", "일주일이지났", "일주일넘", "며칠째", "열흘째", "한달째", "보름째", "이틀째", "사흘째",
		"still hasnt arrived", "hasnt arrived", "has not arrived", "havent arrived", "still not arrived", "still not here",
		"never arrived", "never received", "never got", "still waiting", "not received", "havent received", "have not received",
		"didnt receive", "did not receive", "didnt arrive", "did not arrive", "is late", "so late", "very late", "delayed",
		"still no package", "days late", "weeks late",
		"还没到", "还没收到", "迟迟", "太慢了", "一直没到", "没有收到", "没收到",
	)},
	{cat: Payment, label: "payment", guard: true, cues: cues(
		"결제오류", "결제에러", "결제가안돼", "결제가안되", "결제안돼", "결제안되", "결제가안됐", "결제실패", "결제가실패",
		"두번결제", "2번결제", "이중결제", "중복결제", "결제가두번", "결제가2번", "돈이두번", "두번빠져", "두번출금", "이중출금",
		"입금했는데확인", "입금했는데아직", "입금확인이안", "입금확인안", "입금했는데주문", "결제했는데주문이", "결제됐는데주문", "돈만빠져", "돈은빠져",
		"charged twice", "double charged", "double charge", "charged me twice", "charged two times", "charged 2 times",
		"payment failed", "payment failure", "payment error", "payment declined", "payment didnt go through", "payment did not go through",
		"paid but", "charged but", "card was charged", "money was taken",
		"重复扣款", "扣了两次", "扣款两次", "付款失败", "支付失败", "付了钱", "扣款了但", "付款了但", "扣钱了",
	)},
	{cat: Abuse, label: "abuse", cues: cues(
		"시발", "씨발", "씨바", "씨빨", "ㅅㅂ", "ㅆㅂ", "ㅅ1발", "개새끼", "개새기", "개색기", "개색끼", "새끼야", "이새끼", "저새끼", "니새끼",
		"병신", "ㅂㅅ", "븅신", "=꺼져", "=꺼져라", "닥쳐", "닥치", "좆", "지랄", "미친놈", "미친년", "미친새", "미쳤냐", "엿먹", "등신", "빡대가리", "개소리", "또라이", "쓰레기같",
		"fuck*", "fck*", "motherfuck*", "shit", "bullshit", "bitch*", "idiot*", "stupid", "moron*", "dumb", "dumbass", "asshole*",
		"bastard*", "stfu", "shut up", "screw you", "piss off", "useless bot", "retard*", "wtf",
		"傻逼", "傻b", "傻x", "煞笔", "=滚", "你滚", "滚开", "滚蛋", "妈的", "他妈", "操你", "白痴", "垃圾", "去死",
	)},
	{cat: Feedback, label: "feedback", notQuestion: true, cues: cues(
		"제안", "건의", "칭찬", "피드백", "개선했으면", "개선해주", "했으면좋겠",
		"suggestion*", "suggest", "feedback", "compliment*", "would be nice if", "keep up the good work",
		"建议", "意见", "表扬",
	)},
}

// requestRules, in precedence order: cancellation first, as the engine
// raises an unshipped order's cancellation to urgent.
var requestRules = []requestRule{
	{cat: Cancellation, label: "cancel request",
		topics: cues("취소", "cancel*", "cancle*", "cancell*", "取消", "退订"),
		strong: cues(
			"i want to cancel", "i would like to cancel", "id like to cancel", "i need to cancel", "i wish to cancel",
			"please cancel", "pls cancel", "plz cancel", "cancel it please", "cancel this please", "cancel my order please", "cancel immediately",
		),
		weak: cues("주문취소", "취소요청", "취소신청", "결제취소", "cancel my order", "cancel the order", "cancel order", "cancel my purchase",
			"cancle order", "cancle my order",
			"cancel it", "cancel this", "取消订单", "取消这个订单"),
	},
	{cat: Refund, label: "refund request",
		topics: cues("환불", "환급", "돈돌려", "돈을돌려", "refund*", "refnd*", "money back", "退款", "退钱"),
		strong: cues(
			"환불신청했는데", "환불요청했는데", "환불접수했는데", "환불해준다", "환불해주신다", "환불언제해", "환불은언제해",
			"환불이아직", "환불아직", "환불안됐", "환불이안됐", "환불이안들어", "환불안들어", "환불못받", "환불을못받", "환불을아직",
			"refund me", "i want a refund", "i want my refund", "i want my money back", "i want a full refund", "i would like a refund",
			"id like a refund", "i need a refund", "i demand a refund", "i want to get a refund", "give me a refund",
			"give me my money back", "please refund", "refund please", "still no refund", "no refund yet", "not received my refund",
			"havent received my refund", "havent got my refund", "where is my refund", "refund hasnt", "refund has not",
			"还没退款", "退款还没", "没有退款", "退款没到",
		),
		weak: cues("환불요청", "환불신청", "환불접수", "refund my", "refund for my", "refund for this", "full refund", "退款"),
	},
	{cat: Return, label: "return request",
		topics: cues("반품", "반송", "return*", "退货", "退回"),
		strong: cues(
			"반품보냈", "반품했는데", "반품신청했는데", "반품접수했는데", "반품요청했는데", "반송했는데", "반송보냈",
			"i want to return", "i would like to return", "id like to return", "i need to return", "i wish to return",
			"im returning", "i am returning", "please return", "i want to send it back", "i want to send this back",
		),
		weak: cues("반품신청", "반품접수", "반품요청", "return this", "return it", "return my", "return these", "send it back", "send this back",
			"退货"),
	},
	{cat: Exchange, label: "exchange request",
		topics: cues("교환", "exchange*", "swap", "换货", "更换", "调换", "换一个", "换个"),
		strong: cues(
			"교환신청했는데", "교환요청했는데", "교환접수했는데", "교환보냈",
			"i want to exchange", "i would like to exchange", "id like to exchange", "i need to exchange", "i wish to exchange",
			"please exchange", "i want a replacement", "i need a replacement", "send me a replacement", "send a replacement",
		),
		weak: cues("사이즈교환", "색상교환", "교환신청", "교환요청", "교환접수", "exchange it", "exchange this", "exchange my",
			"exchange for a", "换货", "换尺码", "换颜色"),
	},
}

// Korean request endings right after a topic word (after fillers).
var koEndings = normAll(
	"해주", "해줘", "해줄", "해주세", "주세요", "줘요", "주시", "해달", "해 달", "부탁", "바랍", "할게", "할께", "하겠", "합니다",
	"할래", "요청드", "요청합", "요청해", "신청합", "신청할", "신청해", "시켜", "원합", "원해", "하고싶", "하구싶", "하고시퍼", "싶",
	"받고싶", "받을게", "하려고", "하려는", "할려고", "할려는", "해야겠", "할거", "할꺼", "진행해", "진행부탁", "처리해", "처리부탁", "처리바",
	"좀해", "좀부탁", "받아주", "받아줘", "해야될것같", "해야할것같",
)

// koFinalEndings complete a request only at the end of the message: "환불요",
// "교환이요" (but not "반품요금").
var koFinalEndings = normAll("요", "이요", "할게요", "해요", "합니다", "원해요")

// koFillers may come between a topic and its ending: particles and helper
// words ("환불 좀 처리해 주세요", "반품 신청할게요").
var koFillers = normAll(
	"좀", "을", "를", "이", "가", "도", "은", "는", "으로", "로", "처리", "신청", "진행", "접수", "요청", "빨리", "바로", "꼭", "제발",
	"받고", "받을", "하고", "해서", "건", "것", "하는거", "처리를", "신청을",
)

// koConditionals after a cue make it hypothetical: "불량이면", "파손된 경우".
var koConditionals = normAll("면", "경우", "때", "시에")

// conditionals anywhere make a question hypothetical.
var conditionals = cues("만약", "혹시라도", "if", "in case", "what happens", "如果", "的话", "万一", "假如")

// policyWords make a question about a problem a policy question.
var policyWords = cues("정책", "규정", "기준", "보상기준", "policy", "policies", "rules", "政策", "规定")

// questionCues mark a how-to or policy question, which the FAQ answers.
var questionCues = cues(
	"어떻게", "어떡", "얼마", "언제", "몇", "뭐예", "뭐에", "뭔가", "무엇", "무슨", "어디", "가능한가", "가능할까", "가능해?", "가능한지", "가능하나",
	"되나요", "될까", "되는지", "되요?", "돼요?", "되나", "있나요", "있을까", "인가요", "건가요", "나요?", "까요?",
	"정책", "규정", "기준", "방법", "절차", "기간", "비용", "배송비", "수수료", "알려", "안내", "궁금", "걸려", "걸리",
	"how", "what", "whats", "when", "which", "where", "policy", "policies", "can i", "could i", "do you", "does", "is it possible",
	"is there", "are there", "tell me", "explain", "wondering", "any idea",
	"怎么", "如何", "多久", "什么", "吗", "政策", "规定", "流程", "多少", "能否", "是否", "请问", "哪里", "几天",
)

// strongRequest anywhere with a topic makes a request.
var strongRequest = cues("can you cancel", "can you refund", "can you return", "can you exchange",
	"could you cancel", "could you refund", "could you exchange", "would you cancel", "would you refund",
	"can you please", "could you please")

// weakRequest anywhere with a topic makes a request unless it is a question.
var weakRequest = cues("해주세요", "해 주세요", "해줘", "해주실", "부탁", "please", "pls", "plz", "i want", "i would like", "id like", "i need")

// zhRequest words make a Chinese topic a request.
var zhRequest = normAll("我要", "我想", "想要", "帮我", "请", "给我", "麻烦", "申请", "要求")

// masks are phrases that contain a cue but mean something harmless.
var masks = cues(
	"시발점", "세관신고", "통관신고", "수입신고", "신고서", "분실신고", "소득신고", "화상통화", "화상회의", "화상채팅", "화상수업", "화상으로", "화상카메라", "화상캠",
	"쓰레기봉투", "쓰레기통", "하자마자", "하자고",
	"stupid question", "dumb question", "silly question", "burn rate",
	"垃圾袋", "垃圾桶", "滚筒", "滚动", "滚轮",
)

func normAll(ss ...string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = prepare(s).compact
	}
	return out
}
