package graphsim

import (
	"strconv"
)

// The account's media library: the videos of video ads and the images of
// image and carousel ads, the same files (and hashes) their creatives use.

// serveAdVideos answers act_{id}/advideos, newest first. minlength and
// maxlength (seconds) narrow it, as on the real edge.
func (s *Server) serveAdVideos(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "AdVideo"); err != nil {
		return nil, 0, err
	}
	lo, hi, err := lengthBounds(r)
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	w := s.w
	n := int64(w.adCount(r.now))
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		i, step := walkStart(n, from, hasFrom, !forward)
		for ; i >= 0 && i < n; i += step {
			a := w.adAt(acct, int(i))
			if a.kind != creativeVideo || a.videoLen < lo || a.videoLen > hi {
				continue
			}
			if !yield(i, func(j *jw) { s.renderVideo(j, r, &a, w.objectID(acct, int(i), kindVideo), fs) }) {
				return
			}
		}
	}
	return page(r, "advideos", limit, scan, totalCount(r, scan))
}

func lengthBounds(r *request) (lo, hi float64, err *graphError) {
	lo, hi = 0, 1e9
	for _, p := range []struct {
		name string
		dst  *float64
	}{{"minlength", &lo}, {"maxlength", &hi}} {
		if v := r.q.Get(p.name); v != "" {
			f, perr := strconv.ParseFloat(v, 64)
			if perr != nil {
				return 0, 0, errParam("param %s must be a number of seconds", p.name)
			}
			*p.dst = f
		}
	}
	return lo, hi, nil
}

// imageRef is one image of the library: an image ad's picture (card 0) or a
// carousel card's.
type imageRef struct {
	a    ad
	card int
}

func (im *imageRef) hash() string {
	h := strconv.FormatUint(im.a.key, 16)
	if im.card > 0 {
		h += strconv.Itoa(im.card)
	}
	return h
}

func (im *imageRef) file(w *world) string {
	f := w.objectID(im.a.acct, im.a.index, kindImage)
	if im.card > 0 {
		f += "_" + strconv.Itoa(im.card)
	}
	return f + ".jpg"
}

// serveAdImages answers act_{id}/adimages, newest first; hashes=[...]
// narrows it to those images.
func (s *Server) serveAdImages(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "hash"}, {name: "id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "AdImage"); err != nil {
		return nil, 0, err
	}
	hashes, err := parseList(r.q.Get("hashes"))
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	w := s.w
	n := int64(w.adCount(r.now)) * 8
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		k, step := walkStart(n, from, hasFrom, !forward)
		for ; k >= 0 && k < n; k += step {
			i, card := int(k/8), int(k%8)
			a := w.adAt(acct, i)
			if !(a.kind == creativeImage && card == 0) && !(a.kind == creativeCarousel && card >= 1 && card <= a.children) {
				continue
			}
			im := imageRef{a, card}
			if len(hashes) > 0 && !contains(hashes, im.hash()) {
				continue
			}
			if !yield(k, func(j *jw) { w.renderImage(j, r, &im, fs) }) {
				return
			}
		}
	}
	return page(r, "adimages", limit, scan, totalCount(r, scan))
}

func (w *world) renderImage(j *jw, r *request, im *imageRef, fs []field) {
	a := &im.a
	gen := genCtx{r: r, seed: a.key ^ uint64(kindImage) ^ uint64(im.card), created: a.created}
	acct := w.accounts[a.acct]
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", acct.num+":"+im.hash())
		case "hash":
			j.kstr("hash", im.hash())
		case "account_id":
			j.kstr("account_id", acct.num)
		case "name":
			j.kstr("name", im.file(w))
		case "url", "permalink_url":
			j.kstr(f.name, r.mediaURL(im.file(w)))
		case "url_128":
			j.kstr(f.name, r.mediaURL(im.file(w)))
		case "width", "height", "original_width", "original_height":
			j.kint(f.name, 1080)
		case "status":
			j.kstr("status", "ACTIVE")
		case "created_time", "updated_time":
			j.kstr(f.name, graphTime(a.created))
		case "creatives":
			j.key("creatives")
			strList(j, w.objectID(a.acct, a.index, kindCreative))
		case "is_associated_creatives_in_adgroups":
			j.key(f.name)
			j.boolean(true)
		case "owner_business":
			j.key(f.name)
			j.obj()
			j.kstr("id", w.brands[acct.brand].businessID)
			j.endObj()
		default:
			if t, ok := sdkClasses["AdImage"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

// serveThumbnails answers /{video_id}/thumbnails: three frames of the
// video, the first its picture and preferred.
func (s *Server) serveThumbnails(r *request, o object) ([]byte, int, *graphError) {
	fs, err := requestFields(r, readableFields("VideoThumbnail"))
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "VideoThumbnail"); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	a := s.w.adAt(o.acct, o.index)
	if a.kind != creativeVideo {
		return nil, 0, errNoObject(o.id)
	}
	const frames = 3
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		k, step := walkStart(frames, from, hasFrom, forward)
		for ; k >= 0 && k < frames; k += step {
			if !yield(k, func(j *jw) { s.w.renderThumbnail(j, r, &a, o.id, int(k), fs) }) {
				return
			}
		}
	}
	return page(r, "thumbnails", limit, scan, totalCount(r, scan))
}

func (w *world) renderThumbnail(j *jw, r *request, a *ad, videoID string, k int, fs []field) {
	file := videoID + ".jpg"
	if k > 0 {
		file = videoID + "_frame" + strconv.Itoa(k) + ".jpg"
	}
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", genID(h(a.key, uint64(kindVideo), uint64(k), 0)))
		case "uri":
			j.kstr("uri", r.mediaURL(file))
		case "width":
			j.kint("width", 1080)
		case "height":
			j.kint("height", 1920)
		case "scale":
			j.key("scale")
			j.num(1)
		case "is_preferred":
			j.key("is_preferred")
			j.boolean(k == 0)
		case "name":
			j.kstr("name", file)
		}
	}
	j.endObj()
}
