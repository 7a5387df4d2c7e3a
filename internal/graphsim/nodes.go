package graphsim

// object is a world object named by a numeric id.
type object struct {
	id    string
	acct  int
	index int
	kind  objKind
}

// nodeClasses are the SDK classes of the objects GET /{id} serves.
var nodeClasses = map[objKind]string{
	kindAd: "Ad", kindCreative: "AdCreative", kindVideo: "AdVideo", kindAdset: "AdSet", kindCampaign: "Campaign",
	kindCustomConversion: "CustomConversion", kindCustomAudience: "CustomAudience", kindUser: "BusinessUser",
}

// lookupObject resolves an id to an object that exists at r.now.
func (s *Server) lookupObject(r *request, id string) (object, bool) {
	acct, index, kind, ok := s.w.decodeID(id)
	if !ok || nodeClasses[kind] == "" {
		return object{}, false
	}
	switch kind {
	case kindAdset, kindCampaign:
		ok = index < s.w.groupCount(kind, r.now)
	case kindCustomConversion:
		ok = index < len(customConversions)
	case kindCustomAudience:
		ok = index < len(customAudiences)
	case kindUser:
		ok = index < len(businessPeople) && acct == s.w.personAccount(s.w.accounts[acct].brand)
	default:
		ok = index < s.w.adCount(r.now)
	}
	return object{id, acct, index, kind}, ok
}

// defaultNodeFields is what GET /{id} returns without a fields parameter.
var defaultNodeFields = map[objKind][]field{
	kindAd: {{name: "id"}, {name: "name"}}, kindAdset: {{name: "id"}, {name: "name"}}, kindCampaign: {{name: "id"}, {name: "name"}},
}

// renderObject writes a node for GET /{id} and ?ids=.
func (s *Server) renderObject(j *jw, r *request, o object) *graphError {
	w := s.w
	def, ok := defaultNodeFields[o.kind]
	if !ok {
		def = []field{{name: "id"}}
	}
	fs, err := requestFields(r, def)
	if err == nil {
		err = checkNodeFields(fs, nodeClasses[o.kind])
	}
	if err != nil {
		return err
	}
	switch o.kind {
	case kindAd:
		a := w.adAt(o.acct, o.index)
		var buf [8]span
		w.renderAd(j, r, &a, w.timeline(&a, r.now, buf[:0]), fs)
	case kindCreative:
		a := w.adAt(o.acct, o.index)
		w.renderCreative(j, r, &a, fs)
	case kindVideo:
		a := w.adAt(o.acct, o.index)
		if a.kind != creativeVideo {
			return errNoObject(o.id)
		}
		s.renderVideo(j, r, &a, o.id, fs)
	case kindAdset, kindCampaign:
		g, _ := w.groupAt(o.acct, o.index, o.kind, r.now)
		w.renderGroup(j, r, &g, fs)
	case kindCustomConversion:
		w.renderCustomConversion(j, r, o.acct, o.index, fs)
	case kindCustomAudience:
		w.renderCustomAudience(j, r, o.acct, o.index, fs)
	case kindUser:
		w.renderPerson(j, r, "BusinessUser", o.acct, o.index, fs)
	}
	return nil
}
