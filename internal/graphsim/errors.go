package graphsim

import (
	"fmt"
	"net/http"
)

// graphError is the Graph API error envelope; status is the HTTP status the
// real API pairs with it (400 for nearly everything, 500 for codes 1 and 2).
type graphError struct {
	status    int
	message   string
	typ       string
	code      int
	subcode   int
	transient bool
	userTitle string
	userMsg   string
}

func (e *graphError) Error() string { return fmt.Sprintf("graph error %d: %s", e.code, e.message) }

func errInvalidToken() *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 190,
		message: "Invalid OAuth access token - Cannot parse access token"}
}

func errExpiredToken(at string) *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 190, subcode: 463,
		message: "Error validating access token: Session has expired on " + at + ". The current time is later."}
}

func errPermission(code int) *graphError {
	if code == 10 {
		return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 10,
			message: "(#10) Application does not have permission for this action"}
	}
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 200,
		message: "(#200) Ad account owner has NOT grant ads_management or ads_read permission"}
}

func errNoObject(id string) *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "GraphMethodException", code: 100, subcode: 33,
		message: fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", id)}
}

func errUnknownPath(part string) *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 2500,
		message: "Unknown path components: /" + part}
}

func errParam(format string, args ...any) *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 100,
		message: "(#100) " + fmt.Sprintf(format, args...)}
}

func errReduceData() *graphError {
	return &graphError{status: http.StatusInternalServerError, typ: "OAuthException", code: 1, transient: false,
		message: "Please reduce the amount of data you're asking for, then retry your request"}
}

func errTransient() *graphError {
	return &graphError{status: http.StatusInternalServerError, typ: "OAuthException", code: 2, transient: true,
		message: "An unexpected error has occurred. Please retry your request later."}
}

func errThrottleManagement() *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 17, subcode: 2446079, transient: true,
		message:   "User request limit reached",
		userTitle: "Ad Account Has Too Many API Calls",
		userMsg:   "There have been too many calls from this ad-account. Please wait a bit and try again."}
}

func errThrottleInsights() *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "OAuthException", code: 80004, subcode: 2446079, transient: true,
		message: "There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management."}
}

func errMethod() *graphError {
	return &graphError{status: http.StatusBadRequest, typ: "GraphMethodException", code: 100,
		message: "Unsupported post request."}
}

// body renders the envelope with a trace id.
func (e *graphError) body(trace string) []byte {
	var j jw
	j.obj()
	j.key("error")
	j.obj()
	j.kstr("message", e.message)
	j.kstr("type", e.typ)
	j.kint("code", int64(e.code))
	if e.subcode != 0 {
		j.kint("error_subcode", int64(e.subcode))
	}
	if e.transient {
		j.key("is_transient")
		j.boolean(true)
	}
	if e.userTitle != "" {
		j.kstr("error_user_title", e.userTitle)
		j.kstr("error_user_msg", e.userMsg)
	}
	j.kstr("fbtrace_id", trace)
	j.endObj()
	j.endObj()
	return j.b
}
