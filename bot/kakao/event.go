package kakao

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/outlet"
)

// HoldFor is how long a reply other than the owner's waits for a skill
// response to carry it before the Event API pushes it (an answer that
// missed the platform's deadline, a shipping notice).
const HoldFor = 30 * time.Second

// Run receives until ctx ends: the skill requests arrive on Skill's
// handler, so Run only keeps the books, forgetting skill requests older
// than an hour. Sending is Outlets'.
func (a *Adapter) Run(ctx context.Context) error {
	prune := time.NewTicker(10 * time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-prune.C:
			if n, err := a.reqs.prune(ctx, a.now().Add(-time.Hour)); err != nil {
				a.log.Warn("kakao: prune", "err", err)
			} else if n > 0 {
				a.log.Debug("kakao: pruned skill requests", "n", n)
			}
		}
	}
}

// Outlets is how the adapter sends what no skill response carried
// (outlet.Serve runs them): with the Event API on, the owner's answers at
// once and other replies no skill response took within HoldFor, one
// message per request; without it, nothing (a reply waits for the
// customer's next message).
func (a *Adapter) Outlets() []outlet.Outlet {
	if !a.cfg.EventAPI {
		return nil
	}
	return []outlet.Outlet{{Channel: Channel, Send: a.send, Due: a.pushable, Log: a.log}}
}

// pushable tells the messages the Event API sends: the owner's words at
// once, anything else only once no skill response has taken it.
func (a *Adapter) pushable(r bot.Reply) bool {
	return r.Kind == bot.KindOwner || a.now().Sub(r.Created) >= HoldFor
}

// eventRequest is the Event API's body.
type eventRequest struct {
	Event struct {
		Name string            `json:"name"`
		Data map[string]string `json:"data"`
	} `json:"event"`
	User []eventUser `json:"user"`
}

type eventUser struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// sendEvent pushes one reply to its chat through the event block: the
// block shows the data field "text".
func (a *Adapter) sendEvent(ctx context.Context, r bot.Reply) (string, error) {
	var req eventRequest
	req.Event.Name = a.cfg.EventName
	text := strings.TrimSpace(r.Text)
	if r.Kind == bot.KindOwner {
		text = ownerHeading[r.Language()] + "\n" + text
	}
	if r.Link != "" && !strings.Contains(text, r.Link) {
		text += "\n" + r.Link
	}
	req.Event.Data = map[string]string{"text": text}
	req.User = []eventUser{{Type: "botUserKey", ID: r.Chat}}
	u := a.cfg.APIURL + "/v2/bots/" + url.PathEscape(a.cfg.BotID) + "/talk"
	err := a.post(ctx, u, "KakaoAK "+a.cfg.APIKey, mustJSON(req))
	var se *statusError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &se) && se.Code == http.StatusTooManyRequests:
		d, _ := strconv.Atoi(se.RetryAfter)
		return "", &bot.RetryAfter{After: max(time.Duration(d)*time.Second, time.Second), Err: err}
	case errors.As(err, &se) && (se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden):
		// A wrong or revoked key: kept and retried until the owner fixes it.
		a.log.Error("kakao: the Event API refused the REST API key (KAKAO_REST_API_KEY); owner answers wait", "status", se.Code)
		return "", err
	case errors.As(err, &se) && se.Code/100 == 4:
		return "", fmt.Errorf("kakao: event: %w: %v", bot.ErrPermanent, err)
	}
	return "", err
}

// statusError is an HTTP answer other than 2xx.
type statusError struct {
	Code       int
	Body       string
	RetryAfter string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("kakao: http %d: %s", e.Code, bot.Clip(e.Body, 200))
}

// checkTask reads a Kakao API answer's status ({"taskId":…,"status":"SUCCESS"}):
// FAIL or ERROR is an error.
func checkTask(body []byte) error {
	var t struct {
		TaskID  string `json:"taskId"`
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &t) != nil || t.Status == "" || t.Status == "SUCCESS" {
		return nil
	}
	return fmt.Errorf("kakao: task %s: %s: %s", t.TaskID, t.Status, bot.Clip(t.Message, 200))
}
