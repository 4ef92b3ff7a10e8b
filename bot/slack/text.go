package slack

import (
	"strings"

	"github.com/slack-go/slack/slackutilsx"
)

// PlainText turns the text of a Slack message as Slack delivers it
// (&amp; &lt; &gt; escapes, <@U123> mentions, <#C1|name> channels,
// <https://x|label> links, <!here>) into what the person typed, for a
// customer on another platform. It never fails: unknown or broken markup
// is kept as it is.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(unescape(s[:i]))
		b.WriteString(reference(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	b.WriteString(unescape(s))
	return b.String()
}

// reference renders the inside of one <…>.
func reference(ref string) string {
	target, label, hasLabel := strings.Cut(ref, "|")
	target, label = unescape(target), unescape(label)
	switch {
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return target[:1] + strings.TrimPrefix(label, target[:1])
		}
		return target
	case strings.HasPrefix(target, "!"):
		name, _, _ := strings.Cut(target[1:], "^")
		if hasLabel && label != "" {
			return label
		}
		return "@" + name
	}
	target = strings.TrimPrefix(target, "mailto:")
	if !hasLabel || label == "" || label == target {
		return target
	}
	return label + " (" + target + ")"
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func unescape(s string) string { return unescaper.Replace(s) }

// escape makes text safe for a Slack mrkdwn field: no mentions, channel
// pings or links hidden in customer text.
func escape(s string) string { return slackutilsx.EscapeMessage(s) }
