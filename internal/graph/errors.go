package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinels that an *APIError matches with errors.Is, so callers can map
// Graph failures without knowing the codes.
var (
	ErrAuthExpired = errors.New("access token expired or invalid")
	ErrThrottled   = errors.New("rate limited")
	ErrPermission  = errors.New("permission denied")
)

// errInvalidBody marks a 2xx response whose body is not JSON (a truncated
// transfer); the client retries it like any transient failure.
var errInvalidBody = errors.New("invalid JSON body")

// APIError is a Graph API error envelope, {"error":{...}}, with the HTTP
// status it came with. Its text never contains the access token.
type APIError struct {
	Status      int    // HTTP status
	Code        int    // error.code
	Subcode     int    // error.error_subcode
	Type        string // error.type, e.g. OAuthException
	Message     string // error.message
	UserMessage string // error.error_user_msg
	TraceID     string // error.fbtrace_id, what Meta support asks for
	IsTransient bool   // error.is_transient

	// RetryAfter is how long the API asked callers to stay away (from the
	// usage headers) when the error is a throttle; zero when it did not say.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.AuthExpired() {
		b.WriteString("access token expired or invalid: ")
	}
	fmt.Fprintf(&b, "graph HTTP %d code %d", e.Status, e.Code)
	if e.Subcode != 0 {
		fmt.Fprintf(&b, " subcode %d", e.Subcode)
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " [fbtrace_id %s]", e.TraceID)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrAuthExpired / ErrThrottled / ErrPermission) work.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrAuthExpired:
		return e.AuthExpired()
	case ErrThrottled:
		return e.Throttled()
	case ErrPermission:
		return e.Permission()
	}
	return false
}

// Throttled reports a rate limit: application (4), user (17), page (32),
// custom (613), ads management and insights (80000–80014), or the ad
// account subcodes 2446079 and 1487742.
func (e *APIError) Throttled() bool {
	switch {
	case e.Code == 4, e.Code == 17, e.Code == 32, e.Code == 613:
		return true
	case e.Code >= 80000 && e.Code <= 80014:
		return true
	case e.Subcode == 2446079, e.Subcode == 1487742:
		return true
	}
	return false
}

// Transient reports a failure that the same call may not hit again: unknown
// (1) and service (2) errors, any HTTP 5xx, or is_transient.
func (e *APIError) Transient() bool {
	return e.Code == 1 || e.Code == 2 || e.Status >= 500 || e.IsTransient
}

// AuthExpired reports an expired, revoked or malformed token (190).
func (e *APIError) AuthExpired() bool { return e.Code == 190 }

// Permission reports a missing permission (10, 200–299).
func (e *APIError) Permission() bool {
	return e.Code == 10 || (e.Code >= 200 && e.Code <= 299)
}

// tooMuchData reports code 1 "Please reduce the amount of data you're asking
// for", which a smaller page answers.
func (e *APIError) tooMuchData() bool {
	return e.Code == 1 && strings.Contains(strings.ToLower(e.Message), "reduce the amount of data")
}

// parseAPIError reads the error envelope of a non-2xx response. A body
// without one (a proxy's HTML page) still yields an APIError with the
// status, so 5xx stays transient.
func parseAPIError(status int, body []byte, tok Token) *APIError {
	var env struct {
		Error *struct {
			Message     string `json:"message"`
			Type        string `json:"type"`
			Code        int    `json:"code"`
			Subcode     int    `json:"error_subcode"`
			UserMessage string `json:"error_user_msg"`
			TraceID     string `json:"fbtrace_id"`
			IsTransient bool   `json:"is_transient"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
		return &APIError{Status: status, Message: http.StatusText(status)}
	}
	x := env.Error
	return &APIError{
		Status:      status,
		Code:        x.Code,
		Subcode:     x.Subcode,
		Type:        x.Type,
		Message:     tok.scrub(x.Message),
		UserMessage: tok.scrub(x.UserMessage),
		TraceID:     x.TraceID,
		IsTransient: x.IsTransient,
	}
}
