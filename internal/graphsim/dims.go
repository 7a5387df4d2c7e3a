package graphsim

import "strconv"

// dim is one insights breakdown graphsim simulates: its values, with the
// share of delivery each usually gets. A dim with a parent (region in
// country, platform_position in publisher_platform) has values that belong
// to one parent value each.
type dim struct {
	name     string
	values   []string
	share    []float64
	parent   *dim
	parentOf []int  // per value, the parent's value index
	salt     uint64 // draws each ad's leaning towards the values
}

func flatDim(name string, values []string, share []float64) *dim {
	return &dim{name: name, values: values, share: share}
}

// childDim lists values per parent value, in the parent's order.
func childDim(name string, parent *dim, values [][]string, share [][]float64) *dim {
	d := &dim{name: name, parent: parent}
	for p := range values {
		for i, v := range values[p] {
			d.values = append(d.values, v)
			d.share = append(d.share, share[p][i])
			d.parentOf = append(d.parentOf, p)
		}
	}
	return d
}

var (
	dimAge = flatDim("age",
		[]string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"},
		[]float64{0.14, 0.29, 0.23, 0.16, 0.11, 0.07})
	dimGender = flatDim("gender",
		[]string{"female", "male", "unknown"},
		[]float64{0.55, 0.42, 0.03})
	dimCountry = flatDim("country",
		[]string{"US", "GB", "CA", "AU", "DE", "FR", "NL", "SE", "IE", "NZ"},
		[]float64{0.52, 0.12, 0.09, 0.07, 0.06, 0.05, 0.03, 0.02, 0.02, 0.02})
	dimRegion = childDim("region", dimCountry, [][]string{
		{"California", "Texas", "New York", "Florida", "Illinois", "Washington"},
		{"England", "Scotland", "Wales", "Northern Ireland"},
		{"Ontario", "Quebec", "British Columbia", "Alberta"},
		{"New South Wales", "Victoria", "Queensland"},
		{"Bavaria", "Berlin", "Hamburg"},
		{"Île-de-France", "Provence-Alpes-Côte d'Azur"},
		{"North Holland", "South Holland"},
		{"Stockholm County", "Västra Götaland County"},
		{"Dublin", "Cork"},
		{"Auckland", "Wellington"},
	}, [][]float64{
		{0.3, 0.2, 0.18, 0.14, 0.1, 0.08}, {0.84, 0.08, 0.05, 0.03}, {0.4, 0.25, 0.2, 0.15},
		{0.4, 0.35, 0.25}, {0.5, 0.3, 0.2}, {0.6, 0.4}, {0.55, 0.45}, {0.6, 0.4}, {0.7, 0.3}, {0.65, 0.35},
	})
	dimPlatform = flatDim("publisher_platform",
		[]string{"facebook", "instagram", "audience_network", "messenger"},
		[]float64{0.55, 0.38, 0.05, 0.02})
	dimPosition = childDim("platform_position", dimPlatform, [][]string{
		{"feed", "facebook_reels", "facebook_stories", "marketplace", "video_feeds", "right_hand_column", "search", "instream_video"},
		{"feed", "instagram_stories", "instagram_reels", "instagram_explore", "instagram_explore_grid_home", "instagram_profile_feed"},
		{"an_classic", "rewarded_video"},
		{"messenger_inbox", "messenger_stories"},
	}, [][]float64{
		{0.55, 0.15, 0.12, 0.07, 0.05, 0.03, 0.01, 0.02},
		{0.45, 0.25, 0.2, 0.05, 0.03, 0.02},
		{0.8, 0.2},
		{0.6, 0.4},
	})
	dimDevicePlatform = flatDim("device_platform",
		[]string{"mobile_app", "mobile_web", "desktop"},
		[]float64{0.82, 0.08, 0.1})
	dimImpressionDevice = flatDim("impression_device",
		[]string{"iphone", "android_smartphone", "ipad", "android_tablet", "desktop", "other"},
		[]float64{0.48, 0.34, 0.04, 0.02, 0.1, 0.02})
	dimHourAdvertiser = flatDim("hourly_stats_aggregated_by_advertiser_time_zone", hourValues(), hourShares())
	dimHourAudience   = flatDim("hourly_stats_aggregated_by_audience_time_zone", hourValues(), hourShares())
)

// simulatedDims are the breakdowns graphsim answers, by name.
var simulatedDims = map[string]*dim{}

func init() {
	for _, d := range []*dim{dimAge, dimGender, dimCountry, dimRegion, dimPlatform, dimPosition,
		dimDevicePlatform, dimImpressionDevice, dimHourAdvertiser, dimHourAudience} {
		d.salt = nameHash(d.name)
		simulatedDims[d.name] = d
	}
}

// hourValues are the hourly breakdown's values, as the API writes them.
func hourValues() []string {
	out := make([]string, 24)
	for hr := range out {
		p := strconv.Itoa(100 + hr)[1:]
		out[hr] = p + ":00:00 - " + p + ":59:59"
	}
	return out
}

// hourShares is a shopper's day: quiet at night, peaking in the evening.
func hourShares() []float64 {
	curve := []float64{1.6, 1, 0.7, 0.5, 0.5, 0.7, 1.3, 2.4, 3.2, 3.6, 3.9, 4.1,
		4.4, 4.4, 4.2, 4.2, 4.4, 4.8, 5.5, 6.3, 6.8, 6.6, 5.2, 3}
	return curve
}
