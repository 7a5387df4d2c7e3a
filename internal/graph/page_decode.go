package graph

import (
	"encoding/json"
	"strconv"
)

// pageBody is a list edge's answer: its items, still encoded, its paging and
// its summary, shaped as the JSON is.
type pageBody struct {
	Data   []json.RawMessage
	Paging struct {
		Cursors struct{ After string }
		Next    string
	}
	Summary *struct{ TotalCount *int64 }
}

// decodePage splits a page the client already checked is valid JSON into its
// items, paging and summary, reading it once without reflection: pages of
// insights rows are most of what a producer decodes, and encoding/json would
// check and scan each page twice more. Its items point into body.
func decodePage(body []byte) (pageBody, error) {
	var p pageBody
	r := &jsonReader{b: body}
	err := r.object(func(key []byte) error {
		switch string(key) {
		case "data":
			return r.array(func() error {
				r.peek()
				start := r.i
				if err := r.skip(); err != nil {
					return err
				}
				p.Data = append(p.Data, json.RawMessage(body[start:r.i]))
				return nil
			})
		case "paging":
			return r.object(func(key []byte) (err error) {
				switch string(key) {
				case "next":
					p.Paging.Next, err = r.str()
				case "cursors":
					err = r.object(func(key []byte) (err error) {
						if string(key) != "after" {
							return r.skip()
						}
						p.Paging.Cursors.After, err = r.str()
						return err
					})
				default:
					err = r.skip()
				}
				return err
			})
		case "summary":
			p.Summary = &struct{ TotalCount *int64 }{}
			return r.object(func(key []byte) error {
				if string(key) != "total_count" || r.null() {
					return r.skip()
				}
				text, err := r.number()
				if err != nil {
					return err
				}
				n, err := strconv.ParseInt(string(text), 10, 64)
				if err != nil {
					return r.errorf("total_count %q: %v", text, err)
				}
				p.Summary.TotalCount = &n
				return nil
			})
		}
		return r.skip()
	})
	if err == nil {
		err = r.end()
	}
	return p, err
}
