package jobs

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/tokenbox"
)

// The stable codes of a failed job, for the frontend and the CLI to act on.
const (
	CodeTokenInvalid     = "token_invalid"
	CodePermissionDenied = "permission_denied"
	CodeRateLimited      = "rate_limited"
	CodeGraphUnavailable = "graph_unavailable"
	CodeInvalidRange     = "invalid_range"
	CodeInternal         = "internal"
)

// Failure is why a job failed: a stable code and a message a person can act
// on. The message never carries Graph trace ids, tokens or raw bodies; an
// internal failure carries the error's text (adstream's own errors never hold
// a token).
type Failure struct {
	Code    string
	Message string
}

// Classify turns the error that ended a job into its Failure.
func Classify(err error) Failure {
	var api *graph.APIError
	errors.As(err, &api)
	switch {
	case errors.Is(err, tokenbox.ErrCannotOpen):
		return Failure{CodeTokenInvalid, "The brand's stored token does not open with this server's ADSTREAM_TOKEN_KEY " +
			"(was the key changed?). Register the brand again with its token (POST /api/brands), then start the sync again."}
	case errors.Is(err, graph.ErrAuthExpired):
		return Failure{CodeTokenInvalid, "The brand's Meta access token is expired or invalid" + detail(api) +
			". Register the brand again with a new token (POST /api/brands), then start the sync again."}
	case errors.Is(err, graph.ErrPermission):
		return Failure{CodePermissionDenied, "The brand's Meta access token may not read one of its ad accounts" +
			detail(api) + ". Grant the ads_read permission on every account, or register the brand with the accounts it may read."}
	case errors.Is(err, graph.ErrThrottled):
		return Failure{CodeRateLimited, "Meta's rate limit for the brand's ad accounts was reached and did not recover " +
			"while the job retried" + detail(api) + ". Start the sync again later."}
	case errors.Is(err, store.ErrBadDate):
		return Failure{CodeInvalidRange, "The job's dates cannot be stored: " + err.Error() + ". Ask for days the Graph API reports."}
	case errors.Is(err, store.ErrNotFound):
		return Failure{CodeInternal, "The brand is not registered (POST /api/brands registers it): " + err.Error() + "."}
	case errors.Is(err, graph.ErrReportRun):
		return Failure{CodeGraphUnavailable, "Meta did not compute the insights of a single day as a report run (" + err.Error() + "). Start the sync again later."}
	case api != nil:
		return Failure{CodeGraphUnavailable, "The Graph API answered with an error while the job retried" + detail(api) + ". Start the sync again later."}
	case isNetwork(err):
		return Failure{CodeGraphUnavailable, "The Graph API could not be reached while the job retried. Start the sync again later."}
	}
	return Failure{CodeInternal, "The sync failed inside adstream: " + err.Error() + "."}
}

// detail names the Graph error without its trace id.
func detail(api *graph.APIError) string {
	if api == nil {
		return ""
	}
	msg := api.UserMessage
	if msg == "" {
		msg = api.Message
	}
	return fmt.Sprintf(" (Graph error %d: %s)", api.Code, msg)
}

func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}
