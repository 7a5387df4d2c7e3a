package consumers

import (
	"fmt"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// A batch commits, per partition, the furthest record polled into it, and
// keeps no record's key or value for it.
func TestBatchCommitsTheFurthestRecordOfEachPartition(t *testing.T) {
	var b batch
	for _, r := range []kgo.Record{
		{Topic: "ins", Partition: 0, Offset: 7, Value: []byte("a")},
		{Topic: "ins", Partition: 1, Offset: 3, Value: []byte("b")},
		{Topic: "ins", Partition: 0, Offset: 8, LeaderEpoch: 2, Value: []byte("c")},
		{Topic: "ads", Partition: 0, Offset: 1, Key: []byte("k"), Value: []byte("d")},
	} {
		b.polled(&r)
	}
	if b.len() != 4 {
		t.Errorf("len = %d, want the 4 records polled", b.len())
	}
	var got []string
	for _, r := range b.commits() {
		if r.Key != nil || r.Value != nil {
			t.Errorf("commit record of %s/%d holds its key or value", r.Topic, r.Partition)
		}
		got = append(got, fmt.Sprintf("%s/%d@%d epoch %d", r.Topic, r.Partition, r.Offset, r.LeaderEpoch))
	}
	slices.Sort(got)
	want := []string{"ads/0@1 epoch 0", "ins/0@8 epoch 2", "ins/1@3 epoch 0"}
	if !slices.Equal(got, want) {
		t.Errorf("commits = %v, want %v", got, want)
	}
}
