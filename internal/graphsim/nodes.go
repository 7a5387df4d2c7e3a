package graphsim

import (
	"time"
)

var accountFields = map[string]bool{
	"id": true, "account_id": true, "name": true, "currency": true, "timezone_name": true,
	"timezone_offset_hours_utc": true, "account_status": true, "business": true, "amount_spent": true,
}

func (w *world) renderAccount(j *jw, g int, fs []field) {
	a := w.accounts[g]
	b := w.brands[a.brand]
	j.obj()
	j.kstr("id", a.id)
	for _, f := range fs {
		switch f.name {
		case "account_id":
			j.kstr("account_id", a.num)
		case "name":
			j.kstr("name", a.name)
		case "currency":
			j.kstr("currency", "USD")
		case "timezone_name":
			j.kstr("timezone_name", "Etc/UTC")
		case "timezone_offset_hours_utc":
			j.kint("timezone_offset_hours_utc", 0)
		case "account_status":
			j.kint("account_status", 1)
		case "amount_spent":
			j.kstr("amount_spent", "0")
		case "business":
			j.key("business")
			j.obj()
			j.kstr("id", b.businessID)
			j.kstr("name", b.name)
			j.endObj()
		}
	}
	j.endObj()
}

func (s *Server) serveAccount(r *request, g int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "account_id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkFields(fs, accountFields, "AdAccount"); err != nil {
		return nil, 0, err
	}
	var j jw
	s.w.renderAccount(&j, g, fs)
	return j.b, 1, nil
}

func (s *Server) serveMe(r *request) ([]byte, int, *graphError) {
	b := s.w.brands[r.brand]
	var j jw
	j.obj()
	j.kstr("id", b.businessID[:15])
	j.kstr("name", b.id+" marketing user")
	j.endObj()
	return j.b, 1, nil
}

// serveMyAccounts answers me/adaccounts: the token's brand's accounts.
func (s *Server) serveMyAccounts(r *request) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "account_id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkFields(fs, accountFields, "AdAccount"); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	list := s.w.brands[r.brand].accounts
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		i, step := 0, 1
		if !forward {
			i, step = len(list)-1, -1
		}
		if hasFrom {
			i = int(from) + step
		}
		for ; i >= 0 && i < len(list); i += step {
			g := list[i]
			if !yield(int64(i), func(j *jw) { s.w.renderAccount(j, g, fs) }) {
				return
			}
		}
	}
	return page(r, "adaccounts", limit, scan, totalCount(scan))
}

// object is a world object named by a numeric id.
type object struct {
	id    string
	acct  int
	index int
	kind  objKind
}

// lookupObject resolves an id to an object that exists at r.now.
func (s *Server) lookupObject(r *request, id string) (object, bool) {
	acct, index, kind, ok := s.w.decodeID(id)
	if !ok || kind == kindImage {
		return object{}, false
	}
	n := s.w.adCount(r.now)
	switch kind {
	case kindAdset:
		ok = index*adsPerAdset < n
	case kindCampaign:
		ok = index*adsPerCampaign < n
	default:
		ok = index < n
	}
	return object{id, acct, index, kind}, ok
}

var videoFields = map[string]bool{
	"id": true, "source": true, "picture": true, "length": true, "title": true, "description": true,
	"permalink_url": true, "created_time": true, "updated_time": true, "format": true,
}

var groupFields = map[string]bool{
	"id": true, "name": true, "status": true, "effective_status": true, "configured_status": true,
	"account_id": true, "campaign_id": true, "created_time": true, "updated_time": true,
}

// renderObject writes a node for GET /{id} and ?ids=.
func (s *Server) renderObject(j *jw, r *request, o object) *graphError {
	w := s.w
	switch o.kind {
	case kindAd:
		fs, err := requestFields(r, []field{{name: "id"}, {name: "name"}})
		if err == nil {
			err = checkFields(fs, adFields, "Adgroup")
		}
		if err != nil {
			return err
		}
		a := w.adAt(o.acct, o.index)
		var buf [8]span
		w.renderAd(j, r, &a, w.timeline(&a, r.now, buf[:0]), fs)
	case kindCreative:
		fs, err := requestFields(r, defaultCreativeFields)
		if err == nil {
			err = checkFields(fs, creativeFields, "AdCreative")
		}
		if err != nil {
			return err
		}
		a := w.adAt(o.acct, o.index)
		w.renderCreative(j, r, &a, fs)
	case kindVideo:
		fs, err := requestFields(r, []field{{name: "id"}})
		if err == nil {
			err = checkFields(fs, videoFields, "AdVideo")
		}
		if err != nil {
			return err
		}
		a := w.adAt(o.acct, o.index)
		if a.kind != creativeVideo {
			return errNoObject(o.id)
		}
		s.renderVideo(j, r, &a, o.id, fs)
	case kindAdset, kindCampaign:
		fs, err := requestFields(r, []field{{name: "id"}, {name: "name"}})
		if err == nil {
			err = checkFields(fs, groupFields, "AdSet")
		}
		if err != nil {
			return err
		}
		s.renderGroup(j, o, fs)
	}
	return nil
}

func (s *Server) renderVideo(j *jw, r *request, a *ad, id string, fs []field) {
	j.obj()
	j.kstr("id", id)
	for _, f := range fs {
		switch f.name {
		case "source":
			j.kstr("source", r.mediaURL(id+".mp4"))
		case "picture":
			j.kstr("picture", r.mediaURL(id+".jpg"))
		case "length":
			j.key("length")
			j.num(a.videoLen)
		case "title":
			j.kstr("title", a.adName())
		case "description":
			j.kstr("description", "Video for "+a.adName())
		case "permalink_url":
			j.kstr("permalink_url", "/"+s.w.pageID(a)+"/videos/"+id+"/")
		case "created_time", "updated_time":
			j.kstr(f.name, graphTime(a.created))
		case "format":
			j.key("format")
			j.arr()
			j.obj()
			j.kstr("filter", "native")
			j.kstr("picture", r.mediaURL(id+".jpg"))
			j.endObj()
			j.endArr()
		}
	}
	j.endObj()
}

func (s *Server) renderGroup(j *jw, o object, fs []field) {
	j.obj()
	j.kstr("id", o.id)
	name := campaignName(o.acct, o.index)
	if o.kind == kindAdset {
		name = adsetName(o.acct, o.index)
	}
	created := s.w.start.Add(-150 * 24 * time.Hour)
	for _, f := range fs {
		switch f.name {
		case "name":
			j.kstr("name", name)
		case "status", "effective_status", "configured_status":
			j.kstr(f.name, "ACTIVE")
		case "account_id":
			j.kstr("account_id", s.w.accounts[o.acct].num)
		case "campaign_id":
			if o.kind == kindAdset {
				j.kstr("campaign_id", s.w.objectID(o.acct, o.index*adsPerAdset/adsPerCampaign, kindCampaign))
			}
		case "created_time", "updated_time":
			j.kstr(f.name, graphTime(created))
		}
	}
	j.endObj()
}
