// Package deploy embeds the deployment files that the adstream binary itself needs.
package deploy

import _ "embed"

// ClickHouseConfig is the private ClickHouse server's config template; see the
// {{NAME}} placeholders documented at its top. deploy/local/clickhouse.sh
// renders the same file, so the script and `adstream dev` run one config.
//
//go:embed local/clickhouse/config.xml.tmpl
var ClickHouseConfig string

// ClickHouseUsers is the users.xml that sits next to the rendered config.
//
//go:embed local/clickhouse/users.xml
var ClickHouseUsers string
