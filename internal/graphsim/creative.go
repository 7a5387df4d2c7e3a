package graphsim

import "strconv"

var defaultCreativeFields = []field{{name: "id"}}

func (w *world) pageID(a *ad) string { return w.brandPageID(a.acct) }

func (a *ad) link() string { return "https://shop.example.com/p/" + strconv.Itoa(a.index%977+1) }

// renderCreative writes the creative of ad a. Which fields exist depends on
// the kind, so a classifier sees the same signals as on real creatives;
// fields that say nothing about the kind get a generic value of their type.
func (w *world) renderCreative(j *jw, r *request, a *ad, fs []field) {
	if len(fs) == 0 {
		fs = defaultCreativeFields
	}
	id := w.objectID(a.acct, a.index, kindCreative)
	vid := w.objectID(a.acct, a.index, kindVideo)
	img := r.mediaURL(w.objectID(a.acct, a.index, kindImage) + ".jpg")
	hash := strconv.FormatUint(a.key, 16)
	cta := ctaTypes[(a.key>>16)%uint64(len(ctaTypes))]
	story := w.pageID(a) + "_" + w.postID(a)
	g := genCtx{r: r, seed: a.key ^ uint64(kindCreative), created: a.created}
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", id)
		case "name":
			j.kstr("name", a.adName()+" creative")
		case "title":
			j.kstr("title", nameThemes[a.key%uint64(len(nameThemes))]+" deal")
		case "body":
			j.kstr("body", "Shop the "+nameThemes[a.key%uint64(len(nameThemes))]+" collection today.")
		case "status":
			j.kstr("status", "ACTIVE")
		case "account_id":
			j.kstr("account_id", w.accounts[a.acct].num)
		case "actor_id":
			j.kstr("actor_id", w.pageID(a))
		case "call_to_action_type":
			j.kstr("call_to_action_type", cta)
		case "effective_object_story_id", "object_story_id":
			j.kstr(f.name, story)
		case "object_id":
			j.kstr("object_id", w.pageID(a))
		case "link_url":
			if a.kind != creativeUnknown {
				j.kstr("link_url", a.link())
			}
		case "url_tags":
			j.kstr("url_tags", "utm_source=facebook&utm_medium=paid&utm_campaign="+strconv.Itoa(a.campaignIndex()+1)+"&utm_content="+strconv.Itoa(a.index+1))
		case "effective_instagram_media_id", "source_instagram_media_id":
			j.kstr(f.name, strconv.FormatUint(17_800_000_000_000_000+a.key%100_000_000_000_000, 10))
		case "instagram_permalink_url":
			j.kstr(f.name, "https://www.instagram.com/p/"+strconv.FormatUint(a.key%1_000_000_000, 36)+"/")
		case "call_to_action":
			if a.kind != creativeUnknown {
				j.key("call_to_action")
				j.obj()
				j.kstr("type", cta)
				j.key("value")
				j.obj()
				j.kstr("link", a.link())
				j.endObj()
				j.endObj()
			}
		case "adlabels":
			j.key("adlabels")
			renderLabel(j, w, a.acct, int(a.key%uint64(len(nameThemes))))
		case "thumbnail_id":
			j.kstr("thumbnail_id", genID(a.key^uint64(kindImage)))
		case "object_url":
			if a.kind != creativeUnknown {
				j.kstr("object_url", a.link())
			}
		case "object_type":
			j.kstr("object_type", [...]string{"VIDEO", "PHOTO", "SHARE", "SHARE"}[a.kind])
		case "thumbnail_url":
			j.kstr("thumbnail_url", r.mediaURL(id+"_thumb.jpg"))
		case "image_url":
			if a.kind == creativeImage {
				j.kstr("image_url", img)
			}
		case "image_hash":
			if a.kind == creativeImage {
				j.kstr("image_hash", hash)
			}
		case "video_id":
			if a.kind == creativeVideo {
				j.kstr("video_id", vid)
			}
		case "object_story_spec":
			if a.kind != creativeUnknown {
				j.key("object_story_spec")
				w.renderStorySpec(j, r, a, vid, img, hash, cta)
			}
		case "asset_feed_spec":
			if a.kind == creativeUnknown {
				j.key("asset_feed_spec")
				renderAssetFeed(j, a, hash, cta)
			}
		default:
			if t, ok := sdkClasses["AdCreative"].field(f.name); ok {
				g.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

func (w *world) renderStorySpec(j *jw, r *request, a *ad, vid, img, hash, cta string) {
	j.obj()
	j.kstr("page_id", w.pageID(a))
	switch a.kind {
	case creativeVideo:
		j.key("video_data")
		j.obj()
		j.kstr("video_id", vid)
		j.kstr("image_url", r.mediaURL(vid+".jpg"))
		j.kstr("title", a.adName())
		j.kstr("message", "Watch how it works.")
		renderCTA(j, cta, a.link())
		j.endObj()
	case creativeImage:
		j.key("link_data")
		j.obj()
		j.kstr("link", a.link())
		j.kstr("message", "Our bestseller, back in stock.")
		j.kstr("name", a.adName())
		j.kstr("picture", img)
		j.kstr("image_hash", hash)
		renderCTA(j, cta, a.link())
		j.endObj()
	case creativeCarousel:
		j.key("link_data")
		j.obj()
		j.kstr("link", a.link())
		j.kstr("message", "Swipe through the collection.")
		j.key("child_attachments")
		j.arr()
		for c := 0; c < a.children; c++ {
			n := strconv.Itoa(c + 1)
			j.obj()
			j.kstr("link", a.link()+"?card="+n)
			j.kstr("picture", r.mediaURL(w.objectID(a.acct, a.index, kindImage)+"_"+n+".jpg"))
			j.kstr("name", "Card "+n)
			j.kstr("description", "Item "+n+" of the collection")
			j.kstr("image_hash", hash+n)
			j.endObj()
		}
		j.endArr()
		j.key("multi_share_optimized")
		j.boolean(true)
		renderCTA(j, cta, a.link())
		j.endObj()
	}
	j.endObj()
}

func renderCTA(j *jw, cta, link string) {
	j.key("call_to_action")
	j.obj()
	j.kstr("type", cta)
	j.key("value")
	j.obj()
	j.kstr("link", link)
	j.endObj()
	j.endObj()
}

// renderAssetFeed writes a dynamic-creative spec: assets by hash only, so it
// carries no image_url or video_id a classifier could mistake for a kind.
func renderAssetFeed(j *jw, a *ad, hash, cta string) {
	j.obj()
	j.key("images")
	j.arr()
	for i := 0; i < 3; i++ {
		j.obj()
		j.kstr("hash", hash+strconv.Itoa(i))
		j.endObj()
	}
	j.endArr()
	j.key("bodies")
	j.arr()
	j.obj()
	j.kstr("text", "Made to last.")
	j.endObj()
	j.obj()
	j.kstr("text", "Loved by thousands.")
	j.endObj()
	j.endArr()
	j.key("titles")
	j.arr()
	j.obj()
	j.kstr("text", a.adName())
	j.endObj()
	j.endArr()
	j.key("link_urls")
	j.arr()
	j.obj()
	j.kstr("website_url", a.link())
	j.endObj()
	j.endArr()
	j.key("call_to_action_types")
	j.arr()
	j.str(cta)
	j.endArr()
	j.key("ad_formats")
	j.arr()
	j.str("AUTOMATIC_FORMAT")
	j.endArr()
	j.endObj()
}
