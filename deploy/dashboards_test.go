package deploy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/adstream/adstream/clickhouse/migrate"
)

// datasourceRef is how a dashboard names a datasource.
type datasourceRef struct {
	Type string `json:"type" yaml:"type"`
	UID  string `json:"uid" yaml:"uid"`
}

// query is one thing a dashboard asks a datasource: a panel target or a
// template variable's query.
type query struct {
	where string // dashboard and panel title, for messages
	ds    datasourceRef
	expr  string // PromQL
	sql   string // ClickHouse SQL
}

type dashboard struct {
	file   string
	Panels []panel `json:"panels"`
	Templ  struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Datasource *datasourceRef  `json:"datasource"`
			Query      json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string         `json:"title"`
	Type       string         `json:"type"`
	Datasource *datasourceRef `json:"datasource"`
	Panels     []panel        `json:"panels"` // a collapsed row's
	Targets    []struct {
		Datasource *datasourceRef `json:"datasource"`
		Expr       string         `json:"expr"`
		RawSQL     string         `json:"rawSql"`
	} `json:"targets"`
}

func dashboards(t *testing.T) []dashboard {
	t.Helper()
	files, err := filepath.Glob("grafana/dashboards/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("dashboards: %v (found %v, want the overview and the business one)", err, files)
	}
	var out []dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := dashboard{file: filepath.Base(f)}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, d)
	}
	return out
}

// queries lists every query of every dashboard; a panel without a
// datasource of its own or of its targets is reported as one with none.
func queries(t *testing.T) []query {
	t.Helper()
	var out []query
	var walk func(file string, ps []panel)
	walk = func(file string, ps []panel) {
		for _, p := range ps {
			walk(file, p.Panels)
			for _, tg := range p.Targets {
				ds := tg.Datasource
				if ds == nil {
					ds = p.Datasource
				}
				q := query{where: file + ": " + p.Title, expr: tg.Expr, sql: tg.RawSQL}
				if ds != nil {
					q.ds = *ds
				}
				out = append(out, q)
			}
		}
	}
	for _, d := range dashboards(t) {
		walk(d.file, d.Panels)
		for _, v := range d.Templ.List {
			if v.Type != "query" {
				continue
			}
			q := query{where: d.file + ": variable " + v.Name}
			if v.Datasource != nil {
				q.ds = *v.Datasource
			}
			var text string
			if err := json.Unmarshal(v.Query, &text); err != nil {
				var obj struct {
					Query  string `json:"query"`
					RawSQL string `json:"rawSql"`
				}
				if err := json.Unmarshal(v.Query, &obj); err != nil {
					t.Fatalf("%s: query %s", q.where, v.Query)
				}
				text = obj.Query + obj.RawSQL
			}
			if q.ds.Type == "prometheus" {
				q.expr = text
			} else {
				q.sql = text
			}
			out = append(out, q)
		}
	}
	return out
}

// provisioned reads the datasources Grafana is given, by uid.
func provisioned(t *testing.T) map[string]datasourceRef {
	t.Helper()
	files, err := filepath.Glob("grafana/provisioning/datasources/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]datasourceRef{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Datasources []datasourceRef `yaml:"datasources"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ds := range doc.Datasources {
			out[ds.UID] = ds
		}
	}
	return out
}

func TestDashboardsUseProvisionedDatasources(t *testing.T) {
	have := provisioned(t)
	if _, ok := have["adstream-clickhouse"]; !ok {
		t.Errorf("no ClickHouse datasource provisioned (have %v)", have)
	}
	for _, q := range queries(t) {
		got, ok := have[q.ds.UID]
		switch {
		case !ok:
			t.Errorf("%s: datasource uid %q is not provisioned (have %v)", q.where, q.ds.UID, have)
		case got.Type != q.ds.Type:
			t.Errorf("%s: datasource %q is a %s, the dashboard says %s", q.where, q.ds.UID, got.Type, q.ds.Type)
		}
	}
}

// scrapedElsewhere are metrics Prometheus takes from others than adstream:
// its own up, and ClickHouse's endpoint (deploy/clickhouse/config.d).
var scrapedElsewhere = regexp.MustCompile(`^(up|ClickHouse(ProfileEvents|Metrics|AsyncMetrics)_[A-Za-z0-9_]+)$`)

func TestDashboardMetricsAreExported(t *testing.T) {
	known := exportedMetrics(t)
	n := 0
	for _, q := range queries(t) {
		if q.expr == "" {
			continue
		}
		names := metricNames(q.expr)
		if len(names) == 0 {
			t.Errorf("%s: no metric found in %q", q.where, q.expr)
		}
		for _, name := range names {
			n++
			if !known[name] && !scrapedElsewhere.MatchString(name) {
				t.Errorf("%s: %s is not a metric adstream exports (%q)", q.where, name, q.expr)
			}
		}
	}
	if n < 20 {
		t.Errorf("checked %d metric references, want the dashboards' dozens", n)
	}
}

// The ClickHouse panels read only the analysts' views, through the BI user.
func TestDashboardSQLReadsOnlyTheViews(t *testing.T) {
	views := migratedViews(t)
	table := regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([A-Za-z0-9_.]+)`)
	n := 0
	for _, q := range queries(t) {
		if q.sql == "" {
			continue
		}
		refs := table.FindAllStringSubmatch(q.sql, -1)
		if len(refs) == 0 {
			t.Errorf("%s: no table in %q", q.where, q.sql)
		}
		for _, r := range refs {
			n++
			db, name, ok := strings.Cut(r[1], ".")
			if !ok || db != "adstream_bi" || !slices.Contains(views, name) {
				t.Errorf("%s: reads %s, which is not one of the views adstream_bi.%v", q.where, r[1], views)
			}
		}
	}
	if n == 0 {
		t.Error("no ClickHouse query found in the dashboards")
	}
}

// migratedViews lists the v_* views the migrations create in {db}_bi.
func migratedViews(t *testing.T) []string {
	t.Helper()
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	create := regexp.MustCompile(`(?m)^CREATE VIEW IF NOT EXISTS \{db\}_bi\.(v_[a-z0-9_]+)`)
	var out []string
	for _, m := range all {
		for _, c := range create.FindAllStringSubmatch(m.SQL, -1) {
			out = append(out, c[1])
		}
	}
	return out
}
