package schemas

import "time"

// DeadLetter is a record a consumer could not process (topic TopicDLQ, key
// the original key): the original bytes, where they were, and why.
type DeadLetter struct {
	OriginalTopic string `avro:"original_topic"`
	Partition     int32  `avro:"partition"`
	Offset        int64  `avro:"offset"`
	Key           []byte `avro:"key"`
	Value         []byte `avro:"value"`
	Reason        string `avro:"reason"`
	// At is stored with millisecond precision.
	At time.Time `avro:"at"`
}
