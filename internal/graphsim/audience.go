package graphsim

// audience is an ad set's targeting. Its ads deliver only inside it, so an
// insights breakdown never shows a country, age or platform the ad set does
// not target.
type audience struct {
	countries uint32 // bit per dimCountry value
	ageMin    int
	ageMax    int
	gender    int    // 0 all, 1 men, 2 women (the API's genders values)
	platforms uint32 // bit per dimPlatform value
}

var ageBounds = [][2]int{{18, 24}, {25, 34}, {35, 44}, {45, 54}, {55, 64}, {65, 65}}

// audienceOf draws ad set adset's targeting: the US plus up to three more
// countries, an age band, mostly all genders, mostly automatic placements.
func (w *world) audienceOf(acct, adset int) audience {
	k := h(uint64(w.seed), saltAudience, uint64(acct), uint64(adset))
	r := func(i uint64) uint64 { return mix(k ^ (i * 0x9e3779b97f4a7c15)) }
	au := audience{countries: 1, ageMin: 18, ageMax: 65, platforms: 1<<len(dimPlatform.values) - 1}
	for i := uint64(0); i < r(1)%4; i++ {
		au.countries |= 1 << (1 + r(2+i)%uint64(len(dimCountry.values)-1))
	}
	au.ageMin = []int{18, 18, 21, 25}[r(6)%4]
	au.ageMax = []int{65, 65, 54, 44}[r(7)%4]
	switch u := unit(r(8)); {
	case u < 0.08:
		au.gender = 2
	case u < 0.12:
		au.gender = 1
	}
	if unit(r(9)) < 0.25 {
		au.platforms = 0b11 // facebook and instagram only
	}
	return au
}

// allows reports whether the audience can be reached at value v of d.
func (au *audience) allows(d *dim, v int) bool {
	switch d {
	case dimCountry:
		return au.countries&(1<<v) != 0
	case dimRegion:
		return au.countries&(1<<d.parentOf[v]) != 0
	case dimAge:
		b := ageBounds[v]
		return b[1] >= au.ageMin && b[0] <= au.ageMax
	case dimGender:
		return au.gender == 0 || (au.gender == 1 && v == 1) || (au.gender == 2 && v == 0)
	case dimPlatform:
		return au.platforms&(1<<v) != 0
	case dimPosition:
		return au.platforms&(1<<d.parentOf[v]) != 0
	}
	return true
}

// renderTargeting writes the audience as a Targeting spec.
func renderTargeting(j *jw, au audience) {
	j.obj()
	j.kint("age_min", int64(au.ageMin))
	j.kint("age_max", int64(au.ageMax))
	if au.gender != 0 {
		j.key("genders")
		j.arr()
		j.int(int64(au.gender))
		j.endArr()
	}
	j.key("geo_locations")
	j.obj()
	j.key("countries")
	j.arr()
	for i, c := range dimCountry.values {
		if au.countries&(1<<i) != 0 {
			j.str(c)
		}
	}
	j.endArr()
	j.key("location_types")
	j.arr()
	j.str("home")
	j.str("recent")
	j.endArr()
	j.endObj()
	if au.platforms != 1<<len(dimPlatform.values)-1 {
		j.key("publisher_platforms")
		j.arr()
		for i, p := range dimPlatform.values {
			if au.platforms&(1<<i) != 0 {
				j.str(p)
			}
		}
		j.endArr()
	}
	j.key("targeting_automation")
	j.obj()
	j.kint("advantage_audience", 1)
	j.endObj()
	j.endObj()
}
