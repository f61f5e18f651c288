#!/usr/bin/env bash
# First start of the compose "postgres" service (the postgres image runs
# /docker-entrypoint-initdb.d/*.sh once, on an empty data directory): the
# source contract with demo data in databases trading, deposit and expert, a
# read-only source role ggzy_ro, the store database ggzy_metrics owned by ggzy
# (no CREATEROLE: the daemon migrates it itself), and Grafana's read-only
# role (sql/grafana/readonly_role.sql).
#   GGZY_DEMO_ROWS         demo deals (default 20000; evaluations and deposits in proportion)
#   GGZY_SQL_DIR           sql/ of the project (default /ggzy/sql, mounted by compose)
#   GGZY_DEMO_DIR          deploy/demo/ of the project (default /ggzy/demo)
#   GGZY_GRAFANA_PASSWORD  password of ggzy_grafana (default ggzy-demo-grafana)
# The other trial passwords are those of deploy/docker/ggzy-metricsd.conf.
set -euo pipefail
rows=${GGZY_DEMO_ROWS:-20000}
sql=${GGZY_SQL_DIR:-/ggzy/sql}
demo=${GGZY_DEMO_DIR:-/ggzy/demo}
psql=(psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}")

"${psql[@]}" -d postgres <<'SQL'
CREATE ROLE ggzy LOGIN PASSWORD 'ggzy-demo-store';
CREATE ROLE ggzy_ro LOGIN PASSWORD 'ggzy-demo-ro';
ALTER ROLE ggzy_ro SET default_transaction_read_only = on;
CREATE DATABASE ggzy_metrics OWNER ggzy;
CREATE DATABASE trading;
CREATE DATABASE deposit;
CREATE DATABASE expert;
SQL
echo "ggzy demo: loading $rows deals, $((rows * 2 / 5)) evaluations, $((rows * 3 / 2)) deposits"
for db in trading deposit expert; do
	"${psql[@]}" -d "$db" -f "$sql/contract/$db.sql"
done
"${psql[@]}" -d trading -v rows="$rows" -f "$demo/trading_data.sql"
"${psql[@]}" -d expert -v rows="$((rows * 2 / 5))" -f "$demo/expert_data.sql"
"${psql[@]}" -d expert -f "$sql/contract/expert_pool.sql"
"${psql[@]}" -d expert -f "$demo/expert_pool_data.sql"
"${psql[@]}" -d deposit -v rows="$((rows * 3 / 2))" -f "$demo/deposit_data.sql"
for db in trading deposit expert; do
	"${psql[@]}" -d "$db" <<SQL
GRANT CONNECT ON DATABASE $db TO ggzy_ro;
GRANT USAGE ON SCHEMA public TO ggzy_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ggzy_ro;
SQL
done
"${psql[@]}" -d ggzy_metrics -v password="${GGZY_GRAFANA_PASSWORD:-ggzy-demo-grafana}" \
	-f "$sql/grafana/readonly_role.sql"
