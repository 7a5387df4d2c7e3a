package graphsim

import (
	"slices"
	"strings"
)

// allowedBreakdowns are the combinations of breakdowns (and of the action
// breakdowns that count as breakdown columns) the Insights API serves, from
// its "Combining breakdowns" table; every one of them may also carry the
// action breakdowns action_type, action_target_id and action_destination.
// device_platform, which the table leaves out, combines as placements do,
// the way Ads Manager's "placement and device" report asks for it.
var allowedBreakdowns = [][]string{
	{},
	{"age"}, {"gender"}, {"age", "gender"}, {"country"}, {"region"},
	{"publisher_platform"}, {"publisher_platform", "impression_device"},
	{"publisher_platform", "platform_position"}, {"publisher_platform", "platform_position", "impression_device"},
	{"impression_device"}, {"device_platform"}, {"device_platform", "impression_device"},
	{"publisher_platform", "device_platform"}, {"publisher_platform", "platform_position", "device_platform"},
	{"hourly_stats_aggregated_by_advertiser_time_zone"}, {"hourly_stats_aggregated_by_audience_time_zone"},
	{"action_device"}, {"action_device", "impression_device"}, {"action_device", "publisher_platform"},
	{"action_device", "publisher_platform", "impression_device"}, {"action_device", "publisher_platform", "platform_position"},
	{"action_device", "publisher_platform", "platform_position", "impression_device"},
	{"action_reaction"},
	{"action_carousel_card"}, {"action_carousel_card", "impression_device"}, {"action_carousel_card", "country"},
	{"action_carousel_card", "age"}, {"action_carousel_card", "gender"}, {"action_carousel_card", "age", "gender"},
}

// combinationColumns are the action breakdowns that count in a combination;
// the others join any allowed one.
var combinationColumns = map[string]string{
	"action_device": "action_device", "action_reaction": "action_reaction",
	"action_carousel_card_id": "action_carousel_card", "action_carousel_card_name": "action_carousel_card",
}

// parseBreakdowns reads breakdowns ("" and [] mean none) and checks the
// combination with the action breakdowns, answering the API's errors.
func parseBreakdowns(s string, actionNames []string, implicitActionType bool) ([]*dim, *graphError) {
	list, err := parseList(s)
	if err != nil {
		return nil, errParam("param breakdowns must be a list of strings")
	}
	var dims []*dim
	for i, name := range list {
		if name == "" {
			continue
		}
		if !contains(sdkBreakdowns, name) {
			return nil, errParam("breakdowns[%d] must be one of the following values: %s", i, strings.Join(sdkBreakdowns, ", "))
		}
		d := simulatedDims[name]
		if d == nil {
			return nil, errParam("graphsim does not simulate breakdown %s; it answers %s", name, strings.Join(sortedKeys(simulatedDims), ", "))
		}
		if !slices.Contains(dims, d) {
			dims = append(dims, d)
		}
	}
	var set []string
	for _, d := range dims {
		set = append(set, d.name)
	}
	for _, a := range actionNames {
		if c, ok := combinationColumns[a]; ok && !slices.Contains(set, c) {
			set = append(set, c)
		}
	}
	slices.Sort(set)
	for _, ok := range allowedBreakdowns {
		if slices.Equal(set, slices.Sorted(slices.Values(ok))) {
			return dims, nil
		}
	}
	cols := slices.Clone(actionNames)
	if implicitActionType {
		cols = append(cols, "action_type")
	}
	for _, d := range dims {
		cols = append(cols, d.name)
	}
	slices.Sort(cols)
	return nil, errParam("Current combination of data breakdown columns (%s) is invalid", strings.Join(slices.Compact(cols), ", "))
}

// breakdownCells lists the value combinations of dims a row can have: every
// combination, less those where a value sits under another parent than
// the row's value of that parent.
func breakdownCells(dims []*dim) [][]int {
	cells := [][]int{nil}
	for _, d := range dims {
		var next [][]int
		for _, c := range cells {
			for v := range d.values {
				next = append(next, append(slices.Clip(c), v))
			}
		}
		cells = next
	}
	return slices.DeleteFunc(cells, func(c []int) bool {
		for i, d := range dims {
			if p := slices.Index(dims, d.parent); p >= 0 && d.parentOf[c[i]] != c[p] {
				return true
			}
		}
		return false
	})
}
