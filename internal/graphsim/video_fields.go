package graphsim

// renderVideo writes the video of video ad a.
func (s *Server) renderVideo(j *jw, r *request, a *ad, id string, fs []field) {
	gen := genCtx{r: r, seed: a.key ^ uint64(kindVideo), created: a.created}
	j.obj()
	j.kstr("id", id)
	for _, f := range fs {
		switch f.name {
		case "id":
		case "source":
			j.kstr("source", r.mediaURL(id+".mp4"))
		case "picture", "icon":
			j.kstr(f.name, r.mediaURL(id+".jpg"))
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
		case "published", "embeddable":
			j.key(f.name)
			j.boolean(true)
		case "from":
			j.key("from")
			j.obj()
			j.kstr("id", s.w.pageID(a))
			j.kstr("name", s.w.brands[s.w.accounts[a.acct].brand].name)
			j.endObj()
		case "status":
			j.key("status")
			j.obj()
			j.kstr("video_status", "ready")
			j.endObj()
		case "format":
			j.key("format")
			j.arr()
			j.obj()
			j.kstr("filter", "native")
			j.kstr("picture", r.mediaURL(id+".jpg"))
			j.endObj()
			j.endArr()
		default:
			if t, ok := sdkClasses["AdVideo"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}
