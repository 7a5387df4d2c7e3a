package migrate

import (
	"fmt"
	"regexp"
	"strings"
)

// The cluster rewrite turns a migration statement written for one server into
// the statement that gives every server of a ClickHouse cluster the same
// schema: the DDL runs ON CLUSTER (ClickHouse's distributed DDL queue in
// ZooKeeper), and every *MergeTree table becomes its Replicated* twin, so a
// row inserted on any replica reaches all of them. It works on the migration's
// text before {db} is expanded, so the replication path names the database.
//
// adstream's cluster is one shard of any number of replicas: every replica
// holds every row, so reads stay local and need no Distributed tables (see
// README "Scale-out").

var (
	// ddlHead matches the statement kinds the rewrite knows, up to the name of
	// the object, where ON CLUSTER goes.
	ddlHead = regexp.MustCompile(`(?is)^(CREATE|ALTER|DROP)\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|DATABASE)\s+` +
		`(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([A-Za-z0-9_{}]+(?:\.[A-Za-z0-9_{}]+)?)`)
	// otherDDL are the schema statements the rewrite does not know how to run
	// on a cluster: a migration that needs one must teach the rewrite first.
	otherDDL    = regexp.MustCompile(`(?i)^(CREATE|ALTER|DROP|RENAME|TRUNCATE|ATTACH|DETACH|EXCHANGE)\b`)
	engine      = regexp.MustCompile(`(?i)\bENGINE\s*=\s*([A-Za-z]*)MergeTree\b`)
	anyEngine   = regexp.MustCompile(`(?i)\bENGINE\s*=`)
	settings    = regexp.MustCompile(`(?i)\bSETTINGS\b`)
	onCluster   = regexp.MustCompile(`(?i)\bON\s+CLUSTER\b`)
	clusterName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// noDedup keeps a replicated table's inserts as the single-server table keeps
// them: a Replicated* table drops an inserted block identical to one of its
// last 100 (replicated_deduplication_window), and two identical blocks are
// legitimate here: two ads whose new days carry the same figures produce the
// same signed rows for type_daily_mv, whose sums would then come out short.
const noDedup = "replicated_deduplication_window = 0"

// ForCluster rewrites one migration statement (comments before it allowed)
// for the cluster named cluster:
//   - CREATE/ALTER/DROP of a TABLE, VIEW, MATERIALIZED VIEW or DATABASE gets
//     ON CLUSTER cluster after the object's name;
//   - a CREATE TABLE with a *MergeTree engine gets the Replicated* engine with
//     the replication path /clickhouse/tables/{shard}/<database>/<table> and
//     the replica name {replica} (both macros of each server's config) before
//     the engine's own arguments, and block deduplication turned off;
//   - any other statement (INSERT, OPTIMIZE, ...) is returned unchanged: run
//     on one replica, its rows replicate.
//
// It fails on schema statements it cannot rewrite (RENAME, ATTACH, ...; a
// CREATE TABLE without an ENGINE, which would copy its source's replication
// path; one that already says ON CLUSTER), so no migration reaches a cluster
// half-applied to one server.
func ForCluster(stmt, cluster string) (string, error) {
	if !clusterName.MatchString(cluster) {
		return "", fmt.Errorf("cluster name %q: must be letters, digits and underscores", cluster)
	}
	comments, code := splitComments(stmt)
	if onCluster.MatchString(code) {
		return "", fmt.Errorf("statement already says ON CLUSTER: migrations are written for one server")
	}
	head := ddlHead.FindStringSubmatchIndex(code)
	if head == nil {
		if m := otherDDL.FindString(code); m != "" {
			return "", fmt.Errorf("%s statement: the cluster rewrite knows only CREATE, ALTER and DROP of tables, views and databases", strings.ToUpper(m))
		}
		return stmt, nil
	}
	verb, kind, name := strings.ToUpper(code[head[2]:head[3]]), strings.ToUpper(code[head[4]:head[5]]), code[head[6]:head[7]]
	rest := code[head[1]:]
	if verb == "CREATE" && kind == "TABLE" {
		var err error
		if rest, err = replicate(rest, name); err != nil {
			return "", fmt.Errorf("table %s: %w", name, err)
		}
	}
	return comments + code[:head[1]] + " ON CLUSTER " + cluster + rest, nil
}

// replicate rewrites the part of a CREATE TABLE after its name: a *MergeTree
// engine becomes Replicated*, other engines (Null, Memory) stay as they are.
func replicate(rest, table string) (string, error) {
	m := engine.FindStringSubmatchIndex(rest)
	if m == nil {
		if !anyEngine.MatchString(rest) {
			return "", fmt.Errorf("CREATE TABLE without ENGINE would copy its source's replication path: name the engine")
		}
		return rest, nil
	}
	family := rest[m[2]:m[3]]
	if strings.HasPrefix(strings.ToLower(family), "replicated") {
		return "", fmt.Errorf("engine is already %sMergeTree: migrations are written for one server", family)
	}
	args, end, err := engineArgs(rest[m[1]:])
	if err != nil {
		return "", err
	}
	path := "/clickhouse/tables/{shard}/" + strings.Replace(table, ".", "/", 1)
	params := []string{"'" + path + "'", "'{replica}'"}
	if args != "" {
		params = append(params, args)
	}
	out := rest[:m[0]] + "ENGINE = Replicated" + family + "MergeTree(" + strings.Join(params, ", ") + ")" + rest[m[1]+end:]
	if settings.MatchString(rest[m[1]+end:]) {
		return out + ", " + noDedup, nil
	}
	return out + "\nSETTINGS " + noDedup, nil
}

// engineArgs reads the parenthesised arguments right after an engine's name,
// if any, and returns them (trimmed) and how many bytes they took.
func engineArgs(s string) (args string, n int, err error) {
	trimmed := strings.TrimLeft(s, " \t\n")
	if !strings.HasPrefix(trimmed, "(") {
		return "", 0, nil
	}
	start := len(s) - len(trimmed)
	depth := 0
	for i, r := range trimmed {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return strings.TrimSpace(trimmed[1:i]), start + i + 1, nil
			}
		}
	}
	return "", 0, fmt.Errorf("engine arguments: unbalanced parentheses")
}

// splitComments separates the comment and blank lines that open a statement
// from its code.
func splitComments(stmt string) (comments, code string) {
	rest := stmt
	for rest != "" {
		line, after, found := strings.Cut(rest, "\n")
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			break
		}
		if !found {
			return stmt, ""
		}
		rest = after
	}
	return stmt[:len(stmt)-len(rest)], rest
}
