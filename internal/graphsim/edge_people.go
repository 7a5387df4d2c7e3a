package graphsim

import "strings"

// The people of a brand's business: the token's user first, then the
// colleagues who run its ad accounts. Their ids name the brand's first
// account, so GET /{id} finds the brand.
var businessPeople = []struct{ first, last, role, title string }{
	{"Alex", "Morgan", "ADMIN", "Head of Growth"},
	{"Sam", "Rivera", "ADMIN", "Performance Marketing Lead"},
	{"Jordan", "Lee", "EMPLOYEE", "Paid Social Manager"},
	{"Casey", "Nguyen", "EMPLOYEE", "Creative Strategist"},
	{"Riley", "Patel", "EMPLOYEE", "Analyst"},
}

// personTasks are what each person may do on the ad accounts.
func personTasks(role string) []string {
	if role == "ADMIN" {
		return []string{"MANAGE", "ADVERTISE", "ANALYZE", "DRAFT"}
	}
	return []string{"ADVERTISE", "ANALYZE", "DRAFT"}
}

// personAccount is the account whose id range holds a brand's people.
func (w *world) personAccount(brand int) int { return w.brands[brand].accounts[0] }

// serveBusinessUsers answers me/business_users.
func (s *Server) serveBusinessUsers(r *request) ([]byte, int, *graphError) {
	return s.servePeople(r, "business_users", "BusinessUser")
}

// serveAssignedUsers answers act_{id}/assigned_users, which like the real
// edge needs the business the people belong to.
func (s *Server) serveAssignedUsers(r *request, acct int) ([]byte, int, *graphError) {
	biz := r.q.Get("business")
	if biz == "" {
		return nil, 0, errParam("The parameter business is required")
	}
	if biz != s.w.brands[s.w.accounts[acct].brand].businessID {
		return nil, 0, errParam("Param business must be a business that owns or has access to the ad account, got %s", biz)
	}
	return s.servePeople(r, "assigned_users", "AssignedUser")
}

func (s *Server) servePeople(r *request, edge, class string) ([]byte, int, *graphError) {
	acct := s.w.personAccount(r.brand)
	return s.serveFixedList(r, acct, edge, class, len(businessPeople), nil, func(j *jw, r *request, acct, i int, fs []field) {
		s.w.renderPerson(j, r, class, acct, i, fs)
	})
}

func (w *world) renderPerson(j *jw, r *request, class string, acct, i int, fs []field) {
	p := businessPeople[i]
	b := w.brands[w.accounts[acct].brand]
	gen := genCtx{r: r, seed: h(uint64(w.seed), saltPeople, uint64(acct), uint64(i)), created: w.libraryCreated(0)}
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", w.objectID(acct, i, kindUser))
		case "name":
			j.kstr("name", p.first+" "+p.last)
		case "first_name":
			j.kstr(f.name, p.first)
		case "last_name":
			j.kstr(f.name, p.last)
		case "email":
			j.kstr(f.name, strings.ToLower(p.first+"."+p.last)+"@"+b.id+".example.com")
		case "role":
			j.kstr(f.name, p.role)
		case "title":
			j.kstr(f.name, p.title)
		case "tasks":
			j.key(f.name)
			strList(j, personTasks(p.role)...)
		case "user_type":
			j.kstr(f.name, "BUSINESS_USER")
		case "business":
			j.key("business")
			j.obj()
			j.kstr("id", b.businessID)
			j.kstr("name", b.name)
			j.endObj()
		case "two_fac_status":
			j.kstr(f.name, "enabled")
		case "marked_for_removal":
			j.key(f.name)
			j.boolean(false)
		default:
			if t, ok := sdkClasses[class].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}
