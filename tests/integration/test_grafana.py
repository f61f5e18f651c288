"""The Grafana layer: store migration 003 (schema ggzy_api) applied by a store
role without CREATEROLE on a store at version 2, the DBA's read-only role
script, every SQL query of the shipped dashboard run as that role with
Grafana's macros substituted (deal figures equal to an independent SQL over
the source rows, to the fen), the role unable to write, and every PromQL
expression of the dashboard answered by a real Prometheus scraping the real
daemon (the deal amount equal to /metrics)."""
import datetime
import decimal
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon,
                     source_sql, wait_until, SOURCE_DIR)

D = decimal.Decimal
TZ = "Asia/Shanghai"
NOW = "2022-12-31T12:00:00"
DASHBOARD = os.path.join(SOURCE_DIR, "deploy", "grafana", "dashboards", "ggzy-metricsd.json")
ROLE_SCRIPT = os.path.join(SOURCE_DIR, "sql", "grafana", "readonly_role.sql")
CI = os.environ.get("CI") == "true"


def demo(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def psql_as(pg, role, db, sql, extra=()):
    """Runs SQL as ROLE; returns (ok, rows, stderr). NULL is ''."""
    res = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-h", pg.sock, "-p", str(pg.port), "-U", role, "-d", db] + list(extra),
                         input=sql, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=60, env=dict(os.environ, PGTZ="UTC"))
    rows = [line.split("\t") for line in res.stdout.splitlines() if line]
    return res.returncode == 0, rows, res.stderr


def migrate_to_v2(pg, role):
    """What a daemon of schema version 2 did to a new store, as ROLE."""
    script = ("CREATE SCHEMA IF NOT EXISTS ggzy;"
              "CREATE TABLE IF NOT EXISTS ggzy.schema_version (version integer PRIMARY KEY,"
              " applied_at timestamptz NOT NULL DEFAULT now());\n")
    for n, name in enumerate(["001_initial.sql", "002_alerts.sql"], 1):
        with open(os.path.join(SOURCE_DIR, "sql", "store", name)) as f:
            script += "BEGIN;\n%s\n;INSERT INTO ggzy.schema_version (version) VALUES (%d); COMMIT;\n" % (
                f.read(), n)
    ok, _, err = psql_as(pg, role, "store", script)
    if not ok:
        raise RuntimeError("migrating to version 2: " + err)


def run_role_script(pg, password=None):
    cmd = ["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres", "-d", "store",
           "-f", ROLE_SCRIPT]
    if password:
        cmd[1:1] = ["-v", "password=" + password]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)


# Grafana's PostgreSQL macros and template variables, as Grafana expands them
# for a time range given as local days in TZ.
def utc_iso(day, end=False):
    tz = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has no DST since 1991
    t = datetime.datetime.combine(day, datetime.time(23, 59, 59, 999000) if end else datetime.time(0),
                                  tzinfo=tz).astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % (t.microsecond // 1000) if t.microsecond else "Z")


def expand_sql(sql, frm, to, center):
    f, t = "'%s'" % utc_iso(frm), "'%s'" % utc_iso(to, True)
    sql = re.sub(r"\$__timeFilter\(([^)]+)\)", lambda m: "%s BETWEEN %s AND %s" % (m.group(1), f, t), sql)
    sql = sql.replace("$__timeFrom()", f).replace("$__timeTo()", t)
    sql = sql.replace("${tz}", TZ).replace("$tz", TZ).replace("${center}", center).replace("$center", center)
    return sql


def expand_promql(expr):
    return (expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
            .replace("$__range", "1h"))


def dashboard_queries():
    with open(DASHBOARD) as f:
        dash = json.load(f)
    sqls, proms = [], []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                ds = (t.get("datasource") or p.get("datasource") or {}).get("uid")
                if "rawSql" in t:
                    sqls.append((p["title"], t["rawSql"], ds))
                if "expr" in t:
                    proms.append((p["title"], t["expr"], ds))
    walk(dash["panels"])
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    return dash, sqls, proms, variables


class Expect:
    """Independent figures over the source rows (not the store)."""

    def __init__(self, pg):
        self.pg = pg

    def subtree(self, center):
        if center == "all":
            return None
        rows = self.pg.rows("trading", """
            WITH RECURSIVE s(c) AS (SELECT '%s'::text UNION SELECT d.center_code FROM centers d JOIN s ON d.parent_code = s.c)
            SELECT c FROM s""" % center)
        return [r[0] for r in rows]

    def deals(self, frm, to, center, select, group=""):
        where = ("status = 'awarded' AND (deal_at AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'"
                 % (TZ, frm, to))
        sub = self.subtree(center)
        if sub is not None:
            where += " AND center_code IN (%s)" % ",".join("'%s'" % c for c in sub)
        return self.pg.rows("trading", "SELECT %s FROM deals WHERE %s %s" % (select, where, group))


def dec(v):
    return D(v) if v not in ("", None) else None


def check_sql_panels(ck, pg, sqls, variables, expect):
    # the centre variable lists every centre of the source
    ok, rows, err = psql_as(pg, "ggzy_grafana", "store", variables["center"]["query"])
    ck.true(ok, "center variable query runs: %s" % err)
    codes = [r[0] for r in rows]
    src = sorted(r[0] for r in pg.rows("trading", "SELECT center_code FROM centers"))
    ck.eq(sorted(codes), sorted(["all"] + src), "center variable values")
    ck.eq(codes[0], "all", "'all' comes first")
    ck.eq(variables["tz"]["query"], TZ, "tz constant")

    by_title = {}
    for title, sql, ds in sqls:
        ck.eq(ds, "ggzy-postgres", "%s: datasource" % title)
        by_title[title] = sql
    ranges = [(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)),
              (datetime.date(2022, 3, 15), datetime.date(2022, 8, 10))]
    for frm, to in ranges:
        for center in ("all", "433100", "430102"):
            what = "%s..%s centre %s" % (frm, to, center)
            results = {}
            for title, sql in by_title.items():
                text = expand_sql(sql, frm, to, center)
                ck.true(not re.search(r"\$[A-Za-z_{]", text), "%s: every macro expanded" % title)
                ok, rows, err = psql_as(pg, "ggzy_grafana", "store", text)
                ck.true(ok, "%s (%s) runs as ggzy_grafana: %s" % (title, what, err.strip()))
                results[title] = rows
            # totals
            want = expect.deals(frm, to, center, "coalesce(sum(deal_amount), 0), count(*)")[0]
            ck.eq(dec(results["成交额 Deal amount (元)"][0][0]), D(want[0]), "deal amount " + what)
            ck.eq(dec(results["交易宗数 Deals"][0][0]), D(want[1]), "deals count " + what)
            ck.true(D(want[1]) > 0, "the range holds deals (%s)" % what)
            r = expect.deals(frm, to, center, "sum(budget_amount - deal_amount) FILTER (WHERE budget_amount IS NOT NULL)"
                             " / nullif(sum(budget_amount), 0), count(*) FILTER (WHERE fully_electronic)::numeric"
                             " / nullif(count(*), 0)")[0]
            for title, i in (("节约率 Savings rate", 0), ("全流程电子化率 Full e-bidding rate", 1)):
                got = dec(results[title][0][0])
                ck.true(got is not None and abs(got - D(r[i])) < D("1e-15"),
                        "%s %s: %s vs %s" % (title, what, got, r[i]))
            # per month, its time column the month's first local midnight
            want = expect.deals(frm, to, center,
                                "to_char(date_trunc('month', deal_at AT TIME ZONE '%s'), 'YYYY-MM'), sum(deal_amount)" % TZ,
                                "GROUP BY 1 ORDER BY 1")
            got = results["成交额 Deal amount per month (元)"]
            ck.eq([(month_after(r[0]), dec(r[1])) for r in got], [(r[0], D(r[1])) for r in want],
                  "monthly amounts " + what)
            ck.true(all(r[0].endswith(" 16:00:00+00") for r in got),
                    "a month starts at local midnight: %s" % [r[0] for r in got[:2]])
            want = expect.deals(frm, to, center,
                                "to_char(date_trunc('month', deal_at AT TIME ZONE '%s'), 'YYYY-MM'), category, count(*)" % TZ,
                                "GROUP BY 1, 2 ORDER BY 1, 2")
            got = results["交易宗数 Deals per month by category"]
            # a day whose deals were all cancelled is stored as a 0 count
            ck.eq([(month_after(r[0]), r[1], dec(r[2])) for r in got if dec(r[2])],
                  [(r[0], r[1], D(r[2])) for r in want], "monthly counts by category " + what)
            want = expect.deals(frm, to, center, "category, count(*), sum(deal_amount), "
                                "sum(budget_amount - deal_amount) FILTER (WHERE budget_amount IS NOT NULL), "
                                "sum(deal_amount - reserve_price) FILTER (WHERE reserve_price IS NOT NULL), "
                                "sum(service_fee)", "GROUP BY 1 ORDER BY 3 DESC")
            ck.eq([[(dec(v) or 0) if i else v for i, v in enumerate(r)] for r in results["按类别 By category"]],
                  [[(dec(v) or 0) if i else v for i, v in enumerate(r)] for r in want], "by category " + what)
            # by centre: every centre with its descendants (the panel ignores $center)
            got = {r[1]: (dec(r[3]), dec(r[4])) for r in results["按中心 By centre (with its descendants)"]}
            for code in src:
                w = expect.deals(frm, to, code, "count(*), coalesce(sum(deal_amount), 0)")[0]
                ck.eq(got.get(code), (D(w[0]), D(w[1])), "by centre %s %s..%s" % (code, frm, to))
            # deposits and liquidity, from the deposit source
            sub = expect.subtree(center)
            cond = "" if sub is None else " AND center_code IN (%s)" % ",".join("'%s'" % c for c in sub)
            want = pg.rows("deposit", """
                SELECT sum(amount), sum(amount) FILTER (WHERE kind <> 'cash') FROM deposits
                 WHERE (received_at AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s' %s""" % (TZ, frm, to, cond))[0]
            rows = results["保证金 Deposits received, refunded, liquidity released per month (元)"]
            ck.eq((sum(dec(r[1]) or 0 for r in rows), sum(dec(r[3]) or 0 for r in rows)),
                  (D(want[0]), D(want[1])), "deposits and liquidity released " + what)
    # operations tables
    ok, rows, _ = psql_as(pg, "ggzy_grafana", "store", by_title["同步状态 Source streams (store)"])
    ck.eq(sorted(r[1] for r in rows),
          ["assignments", "deals", "deposit_received", "deposit_refunded", "deposit_released",
           "evaluations", "remote_evaluated"], "stream status rows")
    ok, rows, _ = psql_as(pg, "ggzy_grafana", "store", by_title["告警状态 Target alerts (store)"])
    ck.true(len(rows) > 0, "alerts of the 2022 targets are listed")


def month_after(ts):
    """'2021-02-28 16:00:00+00' (1 March in Shanghai) -> '2021-03'."""
    d = datetime.datetime.strptime(ts[:19], "%Y-%m-%d %H:%M:%S") + datetime.timedelta(hours=8)
    return d.strftime("%Y-%m")


def check_read_only(ck, pg):
    before = pg.rows("store", "SELECT count(*), sum(m2) FROM ggzy.image")
    attempts = [
        "INSERT INTO ggzy.image (stream, source, key, day, center, fingerprint) "
        "VALUES (1, 1, 'x', '2021-01-01', 'x', 0)",
        "SELECT person FROM ggzy.image LIMIT 1",
        "SELECT secret FROM ggzy.identity",
        "DELETE FROM ggzy_api.daily_values",
        "UPDATE ggzy_api.centers SET name = 'x'",
        "SET default_transaction_read_only = off; BEGIN READ WRITE; DELETE FROM ggzy_api.daily_values; COMMIT",
        "BEGIN READ WRITE; INSERT INTO ggzy_api.daily_values (metric) VALUES ('x'); COMMIT",
        "CREATE TABLE ggzy_api.mine (x int)",
        "BEGIN READ WRITE; CREATE TABLE public.mine (x int); COMMIT",
        "SELECT ggzy.apply_images(1::smallint, 1, 0, NULL, NULL)",
        "SELECT ggzy.finish_load(1::smallint, 1, NULL)",
        "BEGIN READ WRITE; SELECT ggzy.grant_api_read(); COMMIT",
        "TRUNCATE ggzy.image",
        "TRUNCATE ggzy.day_total",
        "ALTER ROLE ggzy_grafana SET default_transaction_read_only = off",
    ]
    for sql in attempts:
        ok, _, err = psql_as(pg, "ggzy_grafana", "store", sql)
        ck.true(not ok and any(e in err for e in ("permission denied", "read-only", "cannot update view",
                                                  "cannot delete from view", "cannot insert into view")),
                "ggzy_grafana may not: %s (%s)" % (sql, err.strip() or "it succeeded"))
    ck.eq(pg.rows("store", "SELECT count(*), sum(m2) FROM ggzy.image"), before, "the store is unchanged")
    ok, rows, _ = psql_as(pg, "ggzy_grafana", "store", "SHOW search_path; SHOW transaction_read_only")
    ck.eq(rows, [["ggzy_api"], ["on"]], "search_path and read-only default of ggzy_grafana")


def promtool_checks(ck):
    promtool = shutil.which("promtool")
    if not promtool:
        ck.true(not CI, "promtool is required when CI=true (Debian package prometheus)")
        print("promtool not installed: configs not checked by it")
        return
    pdir = os.path.join(SOURCE_DIR, "deploy", "prometheus")
    for name in sorted(os.listdir(pdir)):
        path = os.path.join(pdir, name)
        if name.startswith("prometheus") and name.endswith(".yml"):
            res = subprocess.run([promtool, "check", "config", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=60)
            ck.eq(res.returncode, 0, "promtool check config %s: %s" % (name, res.stdout))
        elif name.endswith("rules.yml"):
            res = subprocess.run([promtool, "check", "rules", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=60)
            ck.eq(res.returncode, 0, "promtool check rules %s: %s" % (name, res.stdout))


class Prometheus:
    def __init__(self, work, target_port):
        self.dir = os.path.join(work, "prometheus")
        os.makedirs(os.path.join(self.dir, "data"))
        self.port = free_port()
        rules = os.path.join(SOURCE_DIR, "deploy", "prometheus", "ggzy-rules.yml")
        with open(os.path.join(self.dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "rule_files:\n  - %s\n"
                    "scrape_configs:\n  - job_name: ggzy-metricsd\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (rules, target_port))
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + os.path.join(self.dir, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=self.log, stderr=self.log)

    def query(self, expr):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (self.port, urllib.parse.urlencode({"query": expr}))
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                text = r.read().decode()
        except urllib.error.HTTPError as e:
            text = e.read().decode()  # 4xx/5xx: JSON, or plain text while starting up
        try:
            return json.loads(text)
        except ValueError:
            return {"status": "error", "error": text[:200]}

    def ready(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port, timeout=5) as r:
                return r.status == 200
        except OSError:
            if self.proc.poll() is not None:
                raise RuntimeError("prometheus exited: see %s" % self.log.name)
            return False

    def samples(self, expr):
        try:
            body = self.query(expr)
        except OSError:
            return None
        if body.get("status") != "success":
            return None
        return body["data"]["result"]

    def stop(self):
        if self.log.closed:
            return
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def parse_metrics(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        series, value = line.rsplit(" ", 1)
        out[series] = value
    return out


def check_prometheus(ck, prom, proms, daemon, expect):
    wait_until(prom.ready, timeout=60, what="Prometheus ready")
    # a few scrapes, so that rate() has two samples
    wait_until(lambda: (prom.samples("count_over_time(ggzy_store_up[1m])") or [{"value": [0, "0"]}])[0]
               ["value"][1] not in ("0", "1", "2"), timeout=60, what="three scrapes of the daemon")
    for title, expr, ds in proms:
        ck.eq(ds, "ggzy-prometheus", "%s: datasource" % title)
        body = prom.query(expand_promql(expr))
        ck.eq(body.get("status"), "success", "%s: %s parses (%s)" % (title, expr, body.get("error")))
        ck.true(body.get("status") == "success" and len(body["data"]["result"]) > 0,
                "%s: %s returns data" % (title, expr))
    # every deal amount series equals /metrics, and their sum the source
    status, text = daemon.get("/metrics")
    scraped = {k: v for k, v in parse_metrics(text).items() if k.startswith("ggzy_deal_amount_yuan{")}
    got = {}
    for s in prom.samples("ggzy_deal_amount_yuan") or []:
        m = s["metric"]
        labels = ",".join('%s="%s"' % (k, m[k]) for k in ("center", "category") if k in m)
        got["ggzy_deal_amount_yuan{%s}" % labels] = s["value"][1]
    ck.eq(sorted(got), sorted(scraped), "the same deal amount series in Prometheus and /metrics")
    ck.true(len(got) > 10, "deal amount series: %d" % len(got))
    for k, v in scraped.items():
        ck.eq(D(got.get(k, "NaN")), D(v), "Prometheus %s equals /metrics" % k)
    ytd = expect.deals("2022-01-01", "2022-12-31", "all", "sum(deal_amount), count(*)")[0]
    total = prom.samples("sum(ggzy_deal_amount_yuan)")
    ck.true(total and abs(D(total[0]["value"][1]) - D(ytd[0])) < D("0.005"),
            "sum(ggzy_deal_amount_yuan) %s vs the source's %s" % (total and total[0]["value"][1], ytd[0]))
    count = prom.samples("sum(ggzy_deals)")
    ck.eq(count and D(count[0]["value"][1]), D(ytd[1]), "sum(ggzy_deals) vs the source")
    pace = prom.samples("ggzy_target_pace_ratio")
    ck.true(pace and all(s["metric"].get("year") == "2022" for s in pace), "pace ratios of the 2022 targets")


def main():
    ck = Checker("test_grafana")
    dash, sqls, proms, variables = dashboard_queries()
    ck.true(len(sqls) >= 10 and len(proms) >= 10, "dashboard queries: %d SQL, %d PromQL" % (len(sqls), len(proms)))
    ck.eq(dash["uid"], "ggzy-metricsd", "dashboard uid")
    promtool_checks(ck)
    work = work_dir("grafana")
    pg = PgServer("grafana")
    daemon = prom = None
    try:
        demo(pg, "trading", "trading.sql", "trading_data.sql", 3000)
        demo(pg, "expert", "expert.sql", "expert_data.sql", 1200)
        demo(pg, "deposit", "deposit.sql", "deposit_data.sql", 4500)
        # The store's owner may log in and own its database, nothing more.
        pg.psql("postgres", "CREATE ROLE ggzy_store LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;"
                            "CREATE DATABASE store OWNER ggzy_store;")
        migrate_to_v2(pg, "ggzy_store")
        ck.eq(pg.rows("store", "SELECT max(version) FROM ggzy.schema_version"), [["2"]], "a version-2 store")
        # The DBA's script may run before the daemon created ggzy_api ...
        res = run_role_script(pg)
        ck.eq(res.returncode, 0, "readonly_role.sql before the migration: %s" % res.stdout)
        store = "host=%s port=%d user=ggzy_store dbname=store" % (pg.sock, pg.port)
        sources = {s: pg.conninfo(s) for s in ("trading", "deposit", "expert")}
        targets = os.path.join(SOURCE_DIR, "config", "targets.json")
        port = free_port()
        cfg = config_text(port, store, sources, extra_daemon="targets = %s\n" % targets)
        cfg_path = os.path.join(work, "ggzy-metricsd.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        code, _, err = run_daemon(cfg_path, "--once", "--now", NOW)
        ck.eq(code, 0, "--once on the version-2 store: %s" % err[-2000:])
        # the highest migration number (numbers may have gaps: daemon/store.c)
        nmigrations = max(int(n[:3]) for n in os.listdir(os.path.join(SOURCE_DIR, "sql", "store"))
                          if n.endswith(".sql"))
        ck.eq(pg.rows("store", "SELECT max(version) FROM ggzy.schema_version"), [[str(nmigrations)]],
              "migrated to the latest version")
        ck.true("applying migration store/003_api_views.sql" in err, "003 applied by the daemon")
        # ... and again after it (idempotent), now with a password.
        res = run_role_script(pg, "s3cret")
        ck.eq(res.returncode, 0, "readonly_role.sql again: %s" % res.stdout)
        ck.eq(pg.rows("store", "SELECT rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'ggzy_grafana'"),
              [["t", "t"]], "ggzy_grafana may log in, with a password")
        ck.eq(pg.rows("store", "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = 'ggzy_store'"),
              [["f", "f"]], "the store role stayed without privileges")

        # the README documents every view of ggzy_api with its columns, in order
        with open(os.path.join(SOURCE_DIR, "README.md")) as f:
            readme = f.read()
        views = {}
        for name, col in pg.rows("store", "SELECT table_name, column_name FROM information_schema.columns"
                                          " WHERE table_schema = 'ggzy_api' ORDER BY table_name, ordinal_position"):
            views.setdefault(name, []).append(col)
        ck.true(len(views) >= 7, "ggzy_api views: %s" % sorted(views))
        for name, cols in views.items():
            row = "| `ggzy_api.%s` | %s |" % (name, ", ".join(cols))
            ck.true(row in readme, "README documents %s" % row)
        check_sql_panels(ck, pg, sqls, variables, Expect(pg))
        check_read_only(ck, pg)

        if shutil.which("prometheus"):
            daemon = Daemon(work, cfg, ["--now", NOW])
            daemon.start()
            prom = Prometheus(work, port)
            check_prometheus(ck, prom, proms, daemon, Expect(pg))
            prom.stop()
            daemon.stop()
            daemon = prom = None
        else:
            ck.true(not CI, "prometheus is required when CI=true (Debian package prometheus)")
            print("prometheus not installed: the dashboard's PromQL not checked")

        # A downgrade: this binary on a store a newer one migrated gives up
        # (--once exits 1 at its deadline) rather than waiting for ever.
        pg.psql("store", "INSERT INTO ggzy.schema_version (version) VALUES (%d)" % (nmigrations + 1))
        started = time.time()
        code, _, err = run_daemon(cfg_path, "--once", "--now", NOW, timeout=60)
        ck.eq(code, 1, "--once on a newer store fails")
        ck.true("is newer than this daemon" in err and time.time() - started < 30,
                "and says why, promptly: %s" % err[-500:])
    finally:
        if prom:
            prom.stop()
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
