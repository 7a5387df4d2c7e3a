package graphsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Media URLs are signed the way Meta's CDN signs them: oe is when the URL
// stops working (Unix seconds, in hex, on graphsim's clock) and oh a MAC over
// the file name and oe, so a client cannot stretch a URL's life by editing
// it. Past oe the file answers 403 "URL signature expired", as the CDN does,
// and whoever needs it again asks the Graph API for a new URL
// (/{video_id}?fields=source, /{creative_id}?fields=thumbnail_url).

// MediaTTL is how long a media URL graphsim hands out stays valid, on its
// clock: a few days, like the CDN's.
const MediaTTL = 72 * time.Hour

// mediaKey signs media URLs. It is fixed, not secret: a simulator's signature
// only has to catch edited URLs, and a fixed key keeps every answer the same
// for the same seed and clock.
var mediaKey = []byte("graphsim media url v1")

// mediaURL is an absolute URL of a file graphsim serves itself, valid for
// MediaTTL from the request's clock.
func (r *request) mediaURL(name string) string {
	oe := strconv.FormatInt(r.now.Add(MediaTTL).Unix(), 16)
	return r.base() + "/_sim/media/" + name + "?oe=" + oe + "&oh=" + mediaMAC(name, oe)
}

func mediaMAC(name, oe string) string {
	m := hmac.New(sha256.New, mediaKey)
	m.Write([]byte(name + "\x00" + oe))
	return "00_" + hex.EncodeToString(m.Sum(nil)[:16])
}

// serveMedia serves the thumbnails, images and videos graphsim links to,
// for GET and HEAD (with ranges, as a video player asks), while their URL's
// signature holds and has not expired on graphsim's clock.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	oe := q.Get("oe")
	exp, err := strconv.ParseInt(oe, 16, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("oh")), []byte(mediaMAC(name, oe))) {
		http.Error(w, "Bad URL hash", http.StatusForbidden)
		return
	}
	left := time.Unix(exp, 0).Sub(s.Now())
	if left <= 0 {
		http.Error(w, "URL signature expired", http.StatusForbidden)
		return
	}
	body, ctype, ok := mediaBody(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(min(left, 24*time.Hour).Seconds())))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// mediaBody is a file's bytes, derived from its name: a small JPEG tinted by
// it, or an MP4 (an ftyp box and 4 KiB of bytes in a free box), enough for a
// client to download, check and hash something real.
func mediaBody(name string) ([]byte, string, bool) {
	hs := fnv.New64a()
	hs.Write([]byte(name))
	x := hs.Sum64()
	switch {
	case strings.HasSuffix(name, ".jpg"):
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		c := color.RGBA{uint8(x), uint8(x >> 8), uint8(x >> 16), 255}
		for i := 0; i < 64*64; i++ {
			img.Set(i%64, i/64, color.RGBA{c.R + uint8(i%64), c.G, c.B + uint8(i/64), 255})
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70})
		return buf.Bytes(), "image/jpeg", true
	case strings.HasSuffix(name, ".mp4"):
		const payload = 4096
		body := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
		size := uint32(payload + 8)
		body = append(body, byte(size>>24), byte(size>>16), byte(size>>8), byte(size), 'f', 'r', 'e', 'e')
		for i := 0; i < payload; i++ {
			x = mix(x)
			body = append(body, byte(x))
		}
		return body, "video/mp4", true
	}
	return nil, "", false
}
