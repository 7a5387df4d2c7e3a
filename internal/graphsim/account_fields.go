package graphsim

import "time"

// renderAccount writes ad account g.
func (w *world) renderAccount(j *jw, r *request, g int, fs []field) {
	a := w.accounts[g]
	b := w.brands[a.brand]
	created := w.start.Add(-400 * 24 * time.Hour)
	gen := genCtx{r: r, seed: h(uint64(w.seed), saltAccount, uint64(g), 9), created: created}
	j.obj()
	j.kstr("id", a.id)
	for _, f := range fs {
		switch f.name {
		case "id":
		case "account_id":
			j.kstr("account_id", a.num)
		case "name":
			j.kstr("name", a.name)
		case "currency":
			j.kstr("currency", "USD")
		case "timezone_name":
			j.kstr("timezone_name", "Etc/UTC")
		case "timezone_offset_hours_utc", "timezone_id", "disable_reason", "is_personal":
			j.kint(f.name, 0)
		case "account_status":
			j.kint("account_status", 1)
		case "amount_spent", "balance", "spend_cap":
			j.kstr(f.name, "0")
		case "business", "owner_business", "viewable_business":
			j.key(f.name)
			j.obj()
			j.kstr("id", b.businessID)
			j.kstr("name", b.name)
			j.endObj()
		case "owner":
			j.kstr("owner", b.businessID)
		case "business_name", "end_advertiser_name":
			j.kstr(f.name, b.name)
		case "business_country_code":
			j.kstr(f.name, "US")
		case "created_time":
			j.kstr("created_time", graphTime(created))
		case "age":
			j.key("age")
			j.num(float64(int(r.now.Sub(created).Hours()/24*100)) / 100)
		case "min_daily_budget":
			j.kint(f.name, 100)
		case "is_prepay_account", "is_tax_id_required":
			j.key(f.name)
			j.boolean(false)
		case "user_tasks":
			j.key(f.name)
			strList(j, "DRAFT", "ANALYZE", "ADVERTISE", "MANAGE")
		default:
			if t, ok := sdkClasses["AdAccount"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

func (s *Server) serveAccount(r *request, g int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "account_id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "AdAccount"); err != nil {
		return nil, 0, err
	}
	var j jw
	s.w.renderAccount(&j, r, g, fs)
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
	if err := checkNodeFields(fs, "AdAccount"); err != nil {
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
			if !yield(int64(i), func(j *jw) { s.w.renderAccount(j, r, g, fs) }) {
				return
			}
		}
	}
	return page(r, "adaccounts", limit, scan, totalCount(r, scan))
}
