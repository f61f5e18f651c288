#!/usr/bin/env bash
# Sets up and runs ggzy-metricsd on generated demo data: installs packages,
# builds, starts a private PostgreSQL (its own directory and port, nothing
# system-wide), loads the source contract with demo data, and runs the daemon
# in the foreground. Ctrl-C stops the daemon; the database keeps running
# (stop it with: deploy/demo.sh stop).
#   GGZY_DEMO_DIR   where the database lives (default /tmp/ggzy-metricsd-demo)
#   GGZY_DEMO_ROWS  number of demo deals (default 20000; evaluations and
#                   deposits in proportion)
#   GGZY_DEMO_PORT  PostgreSQL port (default 54329); the daemon listens on 9470
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${GGZY_DEMO_DIR:-/tmp/ggzy-metricsd-demo}
port=${GGZY_DEMO_PORT:-54329}
rows=${GGZY_DEMO_ROWS:-20000}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as=()
if [ "$(id -u)" -eq 0 ]; then
	as=(runuser -u postgres --) # initdb refuses to run as root
fi
pg_ctl() { "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" "$@"; }

if [ "${1:-}" = stop ]; then
	pg_ctl -m fast stop
	exit 0
fi

deploy/install-deps.sh
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j"$(nproc)" >/dev/null

if [ ! -d "$dir/data" ]; then
	mkdir -p "$dir"
	[ ${#as[@]} -eq 0 ] || chown postgres: "$dir"
	"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! pg_ctl status >/dev/null 2>&1; then
	pg_ctl -l "$dir/server.log" -w start \
		-o "-k $dir -p $port -c listen_addresses=''" >/dev/null
fi
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres)
if ! "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'trading'" | grep -q 1; then
	echo "loading demo data: $rows deals, $((rows * 2 / 5)) evaluations, $((rows * 3 / 2)) deposits"
	for db in trading deposit expert ggzy_metrics; do
		"${psql[@]}" -d postgres -c "CREATE DATABASE $db"
	done
	"${psql[@]}" -d trading -f sql/contract/trading.sql >/dev/null
	"${psql[@]}" -d trading -v rows="$rows" -f deploy/demo/trading_data.sql >/dev/null
	"${psql[@]}" -d expert -f sql/contract/expert.sql >/dev/null
	"${psql[@]}" -d expert -v rows="$((rows * 2 / 5))" -f deploy/demo/expert_data.sql >/dev/null
	"${psql[@]}" -d expert -f sql/contract/expert_pool.sql >/dev/null
	"${psql[@]}" -d expert -f deploy/demo/expert_pool_data.sql >/dev/null
	"${psql[@]}" -d deposit -f sql/contract/deposit.sql >/dev/null
	"${psql[@]}" -d deposit -v rows="$((rows * 3 / 2))" -f deploy/demo/deposit_data.sql >/dev/null
fi

conf=$dir/ggzy-metricsd.conf
cat >"$conf" <<CONF
[daemon]
listen = 127.0.0.1:9470
timezone = Asia/Shanghai
store = host=$dir port=$port user=postgres dbname=ggzy_metrics
targets = $PWD/config/targets.json
log_level = info

[source trading]
conninfo = host=$dir port=$port user=postgres dbname=trading
interval = 30s
overlap = 5m
reconcile_interval = 10m
statement_timeout = 30s

[source deposit]
conninfo = host=$dir port=$port user=postgres dbname=deposit
interval = 30s
reconcile_interval = 10m

[source expert]
conninfo = host=$dir port=$port user=postgres dbname=expert
interval = 30s
reconcile_interval = 10m
CONF

cat <<MSG

ggzy-metricsd demo
  page:      http://127.0.0.1:9470/   <- open this (the first load takes a few seconds;
                                        a line below says when it has finished)

The daemon now runs in the foreground (Ctrl-C stops it). Other ways in:
  figures:   curl 'http://127.0.0.1:9470/api/v1/series?metric=deal_amount&from=2021-01-01&to=2021-12-31&step=month'
  rates:     curl 'http://127.0.0.1:9470/api/v1/series?metric=e_bid_rate&from=2021-01-01&to=2021-12-31&step=year&center=433100'
  deposits:  curl 'http://127.0.0.1:9470/api/v1/series?metric=liquidity_released_amount&from=2022-01-01&to=2022-12-31&step=quarter'
  remote:    curl 'http://127.0.0.1:9470/api/v1/series?metric=remote_evaluation_rate&from=2021-01-01&to=2022-12-31&step=year'
  scrape:    curl 'http://127.0.0.1:9470/metrics'   (year to date; the demo data covers 2021-2022)
  report:    curl 'http://127.0.0.1:9470/api/v1/report?year=2021&center=433100&format=md'
             curl -o report.csv 'http://127.0.0.1:9470/api/v1/report?year=2022&format=csv'   (opens in Excel)
             build/demo/ggzy-metricsd -c $conf report --year 2021 --center 433100   (JSON, same content)
  targets:   config/targets.json   (edit it, then: kill -HUP \$(pgrep ggzy-metricsd))
  health:    curl 'http://127.0.0.1:9470/readyz'
  catalogue: curl 'http://127.0.0.1:9470/api/v1/metrics'
  config:    $conf
  database:  psql -h $dir -p $port -U postgres trading|deposit|expert|ggzy_metrics   (stop it: deploy/demo.sh stop)

MSG
# Say when the first load has finished: /readyz answers 200 once every
# source has been read whole.
(
	start=$SECONDS
	until python3 -c 'import urllib.request, sys; urllib.request.urlopen("http://127.0.0.1:9470/readyz", timeout=2)' 2>/dev/null; do
		sleep 1
		[ $((SECONDS - start)) -lt 600 ] || exit 0
	done
	echo
	echo "ggzy-metricsd demo: first load finished in $((SECONDS - start)) s; every figure is in: http://127.0.0.1:9470/"
	echo
) &
exec build/demo/ggzy-metricsd -c "$conf" --now "${GGZY_DEMO_NOW:-2022-12-31T12:00:00}"
