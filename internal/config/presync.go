package config

import (
	"strconv"
	"strings"
)

// MaxPresyncDays bounds a pre-sync range: the Graph API reports 37 months back.
const MaxPresyncDays = 37 * 30

// LoadPresyncDays reads ADSTREAM_PRESYNC_RANGES: the lengths in days of the
// ranges (ending yesterday) that registering a brand queues, "7,30" by
// default; "off" queues none.
func LoadPresyncDays(e *Env) []int {
	raw := e.String("ADSTREAM_PRESYNC_RANGES", "7,30",
		"days of the ranges (ending yesterday) synced when a brand is registered, comma-separated; off for none")
	if raw == "off" {
		return nil
	}
	var days []int
	for _, part := range strings.Split(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > MaxPresyncDays {
			e.Fail("ADSTREAM_PRESYNC_RANGES", "%q must be day counts from 1 to %d like 7,30, or off", raw, MaxPresyncDays)
			return nil
		}
		days = append(days, n)
	}
	return days
}
