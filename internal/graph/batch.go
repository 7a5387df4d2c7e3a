package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxBatch is the most requests the Graph API takes in one batch.
const MaxBatch = 50

// BatchRequest is one call of a batch: path as Get takes it ("act_1/ads",
// "" for the /?ids= root) and its parameters. The token is the batch's.
type BatchRequest struct {
	Method string // "" is GET
	Path   string
	Params url.Values
}

// BatchResponse is the API's answer to one BatchRequest: the body of a
// success, or in Err the *APIError it answered, or errNotProcessed when the
// API left the request out (it does when the batch runs out of time).
type BatchResponse struct {
	Status int
	Body   json.RawMessage
	Err    error
}

// errNotProcessed marks a batch item the API answered with null.
var errNotProcessed = errors.New("batch request not processed")

// Batch sends up to MaxBatch requests as one call (POST / with batch=[...])
// and returns their answers in order. The batch itself is retried like any
// call; its requests are not (each still counts against the rate limits as
// a call of its own): a caller retries the failed ones, e.g. with Get.
// Cancelling ctx stops the call at once.
func (c *Client) Batch(ctx context.Context, tok Token, reqs []BatchRequest) ([]BatchResponse, error) {
	if len(reqs) == 0 || len(reqs) > MaxBatch {
		return nil, fmt.Errorf("batch of %d requests: want 1..%d", len(reqs), MaxBatch)
	}
	type item struct {
		Method      string `json:"method"`
		RelativeURL string `json:"relative_url"`
		Body        string `json:"body,omitempty"`
	}
	items := make([]item, len(reqs))
	for i, r := range reqs {
		q := url.Values{}
		for k, v := range r.Params {
			q[k] = v
		}
		q.Del("access_token")
		it := item{Method: cmpOrString(r.Method, http.MethodGet), RelativeURL: c.cfg.Version + "/" + strings.TrimPrefix(r.Path, "/")}
		if it.Method == http.MethodGet {
			if len(q) > 0 {
				it.RelativeURL += "?" + q.Encode()
			}
		} else {
			it.Body = q.Encode()
		}
		items[i] = it
	}
	list, _ := json.Marshal(items)
	req := c.newRequest("", url.Values{"batch": {string(list)}, "include_headers": {"false"}})
	req.method = http.MethodPost
	body, err := c.do(ctx, tok, req)
	if err != nil {
		return nil, fmt.Errorf("batch of %d: %w", len(reqs), err)
	}
	var answers []*struct {
		Code int    `json:"code"`
		Body string `json:"body"`
	}
	if err := json.Unmarshal(body, &answers); err != nil || len(answers) != len(reqs) {
		return nil, fmt.Errorf("batch of %d: %d answers in an unreadable body", len(reqs), len(answers))
	}
	out := make([]BatchResponse, len(reqs))
	for i, a := range answers {
		switch {
		case a == nil:
			out[i].Err = errNotProcessed
		case a.Code < 200 || a.Code > 299:
			out[i] = BatchResponse{Status: a.Code, Err: parseAPIError(a.Code, []byte(a.Body), tok)}
		case !json.Valid([]byte(a.Body)):
			out[i] = BatchResponse{Status: a.Code, Err: fmt.Errorf("%w (%d bytes)", errInvalidBody, len(a.Body))}
		default:
			out[i] = BatchResponse{Status: a.Code, Body: json.RawMessage(a.Body)}
		}
	}
	return out, nil
}
