package producers

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/adstream/adstream/internal/graph"
)

// changes are what moved in an account since a time: the ads updated
// since, and the effective status of the ad sets and campaigns updated since
// (all of them when nothing is known yet). An ad's effective status follows
// its parents' (pausing a campaign makes its ads CAMPAIGN_PAUSED without
// touching their updated_time), so an ad whose ad set or campaign changed
// status is changed too; a parent updated otherwise (a budget, an edit of
// another of its ads) changes nothing of the ad.
type changes struct {
	ads     map[string]bool
	parents map[string]string // ad set and campaign ids: effective status
	known   *accountAds       // the statuses the parents had, nil for none
}

// changed says whether an insights row's ad may differ from what the
// catalog knows.
func (c changes) changed(in graph.Insight) bool {
	return c.ads[in.AdID] || c.moved(in.AdsetID) || c.moved(in.CampaignID)
}

func (c changes) moved(parent string) bool {
	now, ok := c.parents[parent]
	return ok && (c.known == nil || c.known.parents[parent] != now)
}

// Every effective status of each object, so that none is hidden by the
// edges' default of leaving archived and deleted objects out.
var (
	adStatuses       = []string{"ACTIVE", "ADSET_PAUSED", "ARCHIVED", "CAMPAIGN_PAUSED", "DELETED", "DISAPPROVED", "IN_PROCESS", "PAUSED", "PENDING_BILLING_INFO", "PENDING_REVIEW", "PREAPPROVED", "WITH_ISSUES"}
	adsetStatuses    = []string{"ACTIVE", "ARCHIVED", "CAMPAIGN_PAUSED", "DELETED", "IN_PROCESS", "PAUSED", "WITH_ISSUES"}
	campaignStatuses = []string{"ACTIVE", "ARCHIVED", "DELETED", "IN_PROCESS", "PAUSED", "WITH_ISSUES"}
)

// changedSince lists what moved in the account after what known knows
// (Graph filtering on updated_time; ids and statuses only, a page or two
// each). With nothing known it lists only the parents' statuses, every one,
// for the next refresh to compare with.
func (r *jobRun) changedSince(ctx context.Context, a *acctRun, known *accountAds) (changes, error) {
	c := changes{parents: map[string]string{}, known: known}
	var since time.Time
	if known != nil {
		since = known.asOf
		ads, err := r.updated(ctx, a, "ads", "ad", adStatuses, since)
		if err != nil {
			return changes{}, err
		}
		c.ads = make(map[string]bool, len(ads))
		for id := range ads {
			c.ads[id] = true
		}
	}
	for _, e := range []struct {
		edge, object string
		statuses     []string
	}{{"adsets", "adset", adsetStatuses}, {"campaigns", "campaign", campaignStatuses}} {
		got, err := r.updated(ctx, a, e.edge, e.object, e.statuses, since)
		if err != nil {
			return changes{}, err
		}
		maps.Copy(c.parents, got)
	}
	return c, nil
}

// updated is the effective status of each object of an account's edge
// updated after since (every object for the zero since).
func (r *jobRun) updated(ctx context.Context, a *acctRun, edge, object string, statuses []string, since time.Time) (map[string]string, error) {
	filters := []graph.Filter{{Field: object + ".effective_status", Operator: "IN", Value: statuses}}
	if !since.IsZero() {
		filters = append(filters, graph.Filter{Field: object + ".updated_time", Operator: "GREATER_THAN", Value: since.Unix()})
	}
	filtering, _ := json.Marshal(filters)
	id := "act_" + strings.TrimPrefix(a.id, "act_")
	pager := r.w.deps.Graph.Pages(ctx, r.tok, id+"/"+edge, url.Values{"fields": {"id,effective_status"}, "filtering": {string(filtering)}})
	out := map[string]string{}
	for !pager.Done() {
		var raw []json.RawMessage
		if err := a.gate.call(ctx, func(ctx context.Context) (err error) { raw, err = pager.Next(ctx); return err }); err != nil {
			return nil, fmt.Errorf("%s %s updated since %s: %w", id, edge, since.Format(time.RFC3339), err)
		}
		for _, item := range raw {
			var o struct {
				ID     string `json:"id"`
				Status string `json:"effective_status"`
			}
			if err := json.Unmarshal(item, &o); err != nil {
				return nil, fmt.Errorf("%s %s: %w", id, edge, err)
			}
			out[o.ID] = o.Status
		}
	}
	return out, nil
}
