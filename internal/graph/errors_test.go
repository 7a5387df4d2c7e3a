package graph

import (
	"testing"
)

func TestAPIErrorKinds(t *testing.T) {
	type kinds struct{ throttled, transient, auth, permission bool }
	tests := []struct {
		name string
		give APIError
		want kinds
	}{
		{"app limit", APIError{Status: 400, Code: 4}, kinds{throttled: true}},
		{"user limit", APIError{Status: 400, Code: 17}, kinds{throttled: true}},
		{"page limit", APIError{Status: 400, Code: 32}, kinds{throttled: true}},
		{"custom limit", APIError{Status: 400, Code: 613}, kinds{throttled: true}},
		{"ads insights", APIError{Status: 400, Code: 80000}, kinds{throttled: true}},
		{"ads management", APIError{Status: 400, Code: 80004}, kinds{throttled: true}},
		{"last of the range", APIError{Status: 400, Code: 80014}, kinds{throttled: true}},
		{"past the range", APIError{Status: 400, Code: 80015}, kinds{}},
		{"account subcode", APIError{Status: 400, Code: 100, Subcode: 2446079}, kinds{throttled: true}},
		{"too many calls subcode", APIError{Status: 400, Code: 100, Subcode: 1487742}, kinds{throttled: true}},
		{"unknown", APIError{Status: 500, Code: 1}, kinds{transient: true}},
		{"service", APIError{Status: 400, Code: 2}, kinds{transient: true}},
		{"any 5xx", APIError{Status: 503}, kinds{transient: true}},
		{"is_transient", APIError{Status: 400, Code: 1200, IsTransient: true}, kinds{transient: true}},
		{"expired token", APIError{Status: 400, Code: 190, Subcode: 463}, kinds{auth: true}},
		{"ads permission", APIError{Status: 400, Code: 10}, kinds{permission: true}},
		{"permission 200", APIError{Status: 403, Code: 200}, kinds{permission: true}},
		{"permission 294", APIError{Status: 400, Code: 294}, kinds{permission: true}},
		{"invalid parameter", APIError{Status: 400, Code: 100}, kinds{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.give
			got := kinds{e.Throttled(), e.Transient(), e.AuthExpired(), e.Permission()}
			if got != tt.want {
				t.Errorf("kinds = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseAPIError(t *testing.T) {
	tests := []struct {
		name string
		give string
		want APIError
	}{
		{
			name: "envelope",
			give: `{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17,"error_subcode":2446079,"error_user_msg":"Too many calls","fbtrace_id":"A1b2","is_transient":true}}`,
			want: APIError{Status: 400, Code: 17, Subcode: 2446079, Type: "OAuthException", Message: "(#17) User request limit reached", UserMessage: "Too many calls", TraceID: "A1b2", IsTransient: true},
		},
		{
			name: "token echoed",
			give: `{"error":{"message":"Malformed access token ` + string(testToken) + `","code":190}}`,
			want: APIError{Status: 400, Code: 190, Message: "Malformed access token [REDACTED]"},
		},
		{
			name: "not JSON",
			give: `<html>oops</html>`,
			want: APIError{Status: 400, Message: "Bad Request"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseAPIError(400, []byte(tt.give), testToken); *got != tt.want {
				t.Errorf("parseAPIError = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
