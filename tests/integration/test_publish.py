"""Published report versions (SPEC §11): a closed year published over HTTP
(bearer token) and by `report --publish`, the current year refused (409);
then corrections, moves (another year, another centre), a cancellation, a
late insert and a hard delete in the sources, seen by a poll and a
reconciliation; then every format of every version read back byte for byte
(sha256 of the JSON as answered), /api/v1/report/changes listing exactly the
touched rows with their before and after, the current report's
"published.changed" listing exactly the indicators that moved, with the
right figures; the versions immutable in the store; kill -9 during a run of
publications, then a restart: every version whole (its JSON's sha256, every
format, its snapshot), numbered without gaps, and the earlier ones unchanged."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql, SOURCE_DIR
import sources_expect as se

NOW = "2022-06-15T10:00:00"  # 2022 is the current year, 2021 closed
TOKEN = "publish-s3cret"
AUTH = {"Authorization": "Bearer " + TOKEN}
FORMATS = ("json", "csv", "md", "xlsx")
Y21 = "deal_at >= '2021-01-01 00:00+08' AND deal_at < '2022-01-01 00:00+08'"


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def raw(daemon, method, path, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (daemon.port, path), method=method,
                                 data=b"" if method == "POST" else None, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def publish(daemon, query, headers=AUTH):
    status, body = raw(daemon, "POST", "/api/v1/report/publish?" + query, headers)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def versions(pg, year, center=""):
    """(version, sha256 stored, sha256 of json, has csv, md, xlsx, snapshot rows)."""
    return [(int(r[0]), r[1], r[2], r[3] == "t", int(r[4])) for r in pg.rows("store", (
        "SELECT version, sha256, encode(sha256(json), 'hex'), csv IS NOT NULL AND md IS NOT NULL "
        "AND xlsx IS NOT NULL AND length(csv) > 0 AND length(md) > 0 AND length(xlsx) > 0, "
        "(SELECT count(*) FROM ggzy.published_image i WHERE i.report = r.id) "
        "FROM ggzy.published_report r WHERE year = %d AND center = '%s' ORDER BY version") % (year, center))]


def main():
    ck = Checker("test_publish")
    pg = PgServer("publish")
    work = work_dir("publish")
    daemon = None
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 2000)
        load(pg, "deposit", "deposit.sql", "deposit_data.sql", 1500)
        load(pg, "expert", "expert.sql", "expert_data.sql", 600)
        pg.createdb("store")
        subtrees = se.subtrees(pg, "trading", "centers")

        targets = {"years": [{"year": 2021, "indicators": [
            {"metric": "deal_amount", "name": "成交额", "target": "1000000000.00", "weight": 20,
             "display_unit": "亿元"},
            {"metric": "deals_count", "name": "成交宗数", "target": 100, "weight": 20, "display_unit": "宗"},
            {"metric": "cancelled_count", "name": "流标废标", "target": 1, "direction": "lower", "weight": 10,
             "display_unit": "宗"},
            {"metric": "deposit_amount", "name": "保证金", "target": "1.00", "weight": 20, "display_unit": "元"},
            {"metric": "expert_fee_amount", "name": "专家费", "target": "1.00", "weight": 15, "display_unit": "元"},
            {"metric": "expert_draws_count", "name": "抽取专家", "target": 1, "weight": 15, "display_unit": "人次"},
        ]}]}
        targets_path = os.path.join(work, "targets.json")
        with open(targets_path, "w") as f:
            json.dump(targets, f, ensure_ascii=False)
        token_path = os.path.join(work, "token")
        with open(token_path, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(token_path, 0o600)
        port = free_port()
        cfg = config_text(port, pg.conninfo("store"),
                          {s: pg.conninfo(s) for s in ("trading", "deposit", "expert")},
                          extra_daemon="targets = %s\napi_token_file = %s\n" % (targets_path, token_path))
        daemon = Daemon(work, cfg, args=["--now", NOW])
        daemon.start()

        # -- publishing: the token, the closed year, the current year --
        ck.eq(publish(daemon, "year=2021", {})[0], 401, "publish without a token: 401")
        ck.eq(publish(daemon, "year=2021", {"Authorization": "Bearer wrong"})[0], 401,
              "publish with a wrong token: 401")
        ck.eq(versions(pg, 2021), [], "nothing stored by refused requests")
        status, body = publish(daemon, "year=2022")
        ck.eq((status, body["error"]["code"] if status != 200 else None), (409, "year_open"),
              "the current year: 409")
        ck.eq(publish(daemon, "year=2023")[0], 400, "a year to come: 400")
        ck.eq(publish(daemon, "year=20x1")[0], 400, "a bad year: 400")
        ck.eq(raw(daemon, "GET", "/api/v1/report?year=2021&version=1")[0], 404, "no version 1 yet: 404")

        current = {fmt: raw(daemon, "GET", "/api/v1/report?year=2021&format=" + fmt)[1] for fmt in FORMATS}
        ck.true("published" not in json.loads(current["json"]), "no published block before publication")
        status, v1 = publish(daemon, "year=2021")
        ck.eq(status, 200, "publish 2021: %s" % (v1,))
        ck.eq(sorted(v1) if status == 200 else None, ["published_at", "sha256", "version"], "publish answer fields")
        ck.eq(v1.get("version"), 1, "first version is 1")
        code, out, err = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2021", "--publish")
        ck.eq(code, 0, "report --publish exit: %s" % err)
        v2 = json.loads(out) if code == 0 else {}
        ck.eq(v2.get("version"), 2, "report --publish makes version 2")
        code, out, err = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2022", "--publish")
        ck.eq(code, 1, "report --publish of the current year fails")
        ck.true("not closed" in err, "... saying why: %s" % err)
        status, c1 = publish(daemon, "year=2021&center=433100")
        ck.eq((status, c1.get("version")), (200, 1), "a centre's versions are numbered on their own")

        # Every format as published; the JSON's sha256 is the answer's.
        published = {}
        for v, answer in ((1, v1), (2, v2)):
            for fmt in FORMATS:
                status, data = raw(daemon, "GET", "/api/v1/report?year=2021&version=%d&format=%s" % (v, fmt))
                ck.eq(status, 200, "version %d %s" % (v, fmt))
                published[(v, fmt)] = data
            ck.eq(hashlib.sha256(published[(v, "json")]).hexdigest(), answer.get("sha256"),
                  "version %d: sha256 of its JSON bytes" % v)
        ck.eq(raw(daemon, "GET", "/api/v1/report?year=2021&version=1")[1], published[(1, "json")],
              "json is the default format of a version")
        for fmt in ("csv", "md"):
            ck.true(published[(1, fmt)] == current[fmt], "version 1 %s equals the report as it was" % fmt)
        ck.true(published[(1, "xlsx")].startswith(b"PK"), "version 1 xlsx is a workbook")
        ck.eq(json.loads(published[(1, "json")]), json.loads(current["json"]), "version 1 json is the report")
        c1_json = raw(daemon, "GET", "/api/v1/report?year=2021&center=433100&version=1")[1]
        ck.eq(hashlib.sha256(c1_json).hexdigest(), c1.get("sha256"), "the centre's version sha256")
        ck.eq(raw(daemon, "GET", "/api/v1/report?year=2021&version=3")[0], 404, "unknown version: 404")
        ck.eq(raw(daemon, "GET", "/api/v1/report?year=2021&version=0")[0], 400, "version 0: 400")
        ck.eq(raw(daemon, "GET", "/api/v1/report/changes?year=2020")[0], 404, "changes of an unpublished year: 404")
        body = daemon.get("/api/v1/report?year=2021")[1]
        ck.eq(body.get("published", {}).get("version"), 2, "the current report names the latest version")
        ck.eq(body.get("published", {}).get("changed"), [], "nothing moved yet")
        ck.eq(daemon.get("/api/v1/report/changes?year=2021")[1], {"version": 2, "changes": []},
              "no changes yet")

        # Immutable in the store.
        for sql in ("UPDATE ggzy.published_report SET sha256 = 'x'", "DELETE FROM ggzy.published_report",
                    "DELETE FROM ggzy.published_image", "TRUNCATE ggzy.published_report CASCADE"):
            res = subprocess.run(["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres",
                                  "-d", "store", "-c", sql], capture_output=True, text=True)
            ck.true(res.returncode != 0 and "immutable" in res.stderr, "refused: %s (%s)" % (sql, res.stderr))

        # -- the sources change under the published year --
        def one(db, sql):
            return pg.rows(db, sql)[0]
        awarded = "status = 'awarded' AND %s" % Y21
        a_id, a_amount = one("trading", "SELECT deal_id, deal_amount FROM deals WHERE %s ORDER BY deal_id LIMIT 1" % awarded)
        b_id, b_amount = one("trading", "SELECT deal_id, deal_amount FROM deals WHERE %s ORDER BY deal_id OFFSET 1 LIMIT 1" % awarded)
        c_id, c_center = one("trading", "SELECT deal_id, center_code FROM deals WHERE %s AND center_code = '433101' "
                                        "ORDER BY deal_id LIMIT 1" % awarded)
        d_id, d_amount = one("trading", "SELECT deal_id, deal_amount FROM deals WHERE %s ORDER BY deal_id OFFSET 2 LIMIT 1" % awarded)
        e_id, e_amount, e_center = one("deposit", "SELECT deposit_id, amount, center_code FROM deposits WHERE status = 'held' "
                                                  "AND received_at >= '2021-01-01 00:00+08' AND received_at < '2022-01-01 00:00+08' "
                                                  "ORDER BY deposit_id LIMIT 1")
        pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 1000.00 WHERE deal_id = '%s'" % a_id)
        pg.psql("trading", "UPDATE deals SET deal_at = '2022-03-01 10:00+08' WHERE deal_id = '%s'" % b_id)
        pg.psql("trading", "UPDATE deals SET center_code = '430102' WHERE deal_id = '%s'" % c_id)
        pg.psql("trading", "UPDATE deals SET status = 'cancelled' WHERE deal_id = '%s'" % d_id)
        pg.psql("trading", "INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount, "
                           "reserve_price, deal_amount, opened_at, deal_at, fully_electronic, remote_opening, status, "
                           "service_fee) VALUES ('LATE0001', 'PL', '433122', 'engineering', 'open_tender', NULL, NULL, "
                           "777.77, NULL, '2021-07-01 12:00+08', true, false, 'awarded', 0.78)")
        # A 2022 row changes too: not the published year's.
        pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 5.00 WHERE deal_id = (SELECT min(deal_id) "
                           "FROM deals WHERE deal_at >= '2022-02-01 00:00+08')")
        pg.psql("deposit", "DELETE FROM deposits WHERE deposit_id = '%s'" % e_id)
        ck.eq(daemon.post("/api/v1/refresh", AUTH)[0], 200, "a poll")
        # The hard delete is seen by a reconciliation: --once (its figures
        # are the store's), the daemon stopped meanwhile; then a restart.
        ck.eq(daemon.stop(), 0, "clean stop")
        # A stream loading its history (its images are not its figures yet)
        # is not published.
        pg.psql("store", "UPDATE ggzy.stream_state SET state = 'loading' WHERE stream = 1")
        code, out, err = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2021", "--publish")
        ck.eq((code, "still loading" in err), (1, True), "no publication while a stream loads: %s" % err)
        pg.psql("store", "UPDATE ggzy.stream_state SET state = 'loaded' WHERE stream = 1")
        ck.eq(len(versions(pg, 2021)), 2, "nothing stored while loading")
        code, _, err = run_daemon(daemon.config, "--once", "--now", NOW)
        ck.eq(code, 0, "--once: %s" % err[-500:])
        daemon = Daemon(work, cfg, args=["--now", NOW])
        daemon.start()

        # The versions' bytes did not move.
        for (v, fmt), data in published.items():
            ck.true(raw(daemon, "GET", "/api/v1/report?year=2021&version=%d&format=%s" % (v, fmt))[1] == data,
                    "version %d %s byte for byte after the changes and a restart" % (v, fmt))

        # Exactly the touched rows, with before and after.
        touched = {("trading", a_id), ("trading", b_id), ("trading", c_id), ("trading", d_id),
                   ("trading", "LATE0001"), ("deposit", e_id)}
        for q in ("year=2021", "year=2021&version=1", "year=2021&version=2"):
            status, body = daemon.get("/api/v1/report/changes?" + q)
            ck.eq(status, 200, "changes %s" % q)
            changes = body.get("changes", []) if status == 200 else []
            ck.eq({(c["source"], c["id"]) for c in changes}, touched, "changes %s: exactly the touched rows" % q)
        by = {}
        for c in changes:
            ck.eq(sorted(c), ["after", "before", "id", "seen_at", "source", "stream"], "change fields %s" % c["id"])
            ck.true(c["seen_at"] is not None and c["seen_at"].startswith("20"), "seen_at of %s: %s" % (c["id"], c["seen_at"]))
            by.setdefault(c["id"], []).append(c)

        def details():
            a = by[a_id][0]
            ck.eq(a["before"]["values"]["deal_amount"], a_amount, "correction: before")
            ck.eq(a["after"]["values"]["deal_amount"], format(Decimal(a_amount) + 1000, "f"), "correction: after")
            ck.eq(a["before"]["day"], a["after"]["day"], "correction: same day")
            b = by[b_id][0]
            ck.eq(b["after"]["day"], "2022-03-01", "move to another year: after is the new image")
            ck.eq(b["before"]["values"]["deal_amount"], b_amount, "move: before")
            c = by[c_id][0]
            ck.eq((c["before"]["labels"]["center"], c["after"]["labels"]["center"]), (c_center, "430102"),
                  "move to another centre")
            d = by[d_id][0]
            ck.eq((d["before"]["values"].get("deals_count"), d["after"]["values"].get("deals_count"),
                   d["after"]["values"].get("cancelled_count")), (1, None, 1), "cancellation: before and after")
            late = by["LATE0001"][0]
            ck.eq((late["before"], late["after"]["values"]["deal_amount"], late["after"]["day"]),
                  (None, "777.77", "2021-07-01"), "late insert: appeared")
            for e in by[e_id]:
                ck.true(e["after"] is None and e["before"] is not None, "hard delete: gone (%s)" % e["stream"])
            ck.true(any(e["before"]["values"].get("deposit_amount") == e_amount for e in by[e_id]),
                    "hard delete: before holds its amount")

        try:
            details()
        except (KeyError, TypeError, IndexError) as e:  # a row missing or empty: failed above
            ck.true(False, "the changes' before and after: %r" % e)

        # A centre's version: the rows of its subtree, before or after.
        sub = set(subtrees["433100"])
        status, body = daemon.get("/api/v1/report/changes?year=2021&center=433100")
        ck.eq(body.get("version"), 1, "the centre's latest version")
        want = set()
        for c in changes:
            if any(x and x["labels"].get("center") in sub and x["day"].startswith("2021")
                   for x in (c["before"], c["after"])):
                want.add((c["source"], c["id"]))
        ck.eq({(c["source"], c["id"]) for c in body.get("changes", [])}, want,
              "the centre's changes: its subtree's touched rows")

        # The current report: exactly the indicators that moved, and by how much.
        body = daemon.get("/api/v1/report?year=2021")[1]
        pub = body.get("published", {})
        ck.eq((pub.get("version"), sorted(pub)), (2, ["changed", "published_at", "version"]), "published block")
        ck.eq(pub.get("published_at"), v2.get("published_at"), "published_at as answered")
        changed = {c["name"]: c for c in pub.get("changed", [])}
        ck.eq(sorted(changed), sorted(["成交额", "成交宗数", "流标废标", "保证金"]), "the indicators that moved")
        then = {i["name"]: i["actual"] for i in json.loads(published[(2, "json")])["indicators"]}
        now = {i["name"]: i["actual"] for i in body["indicators"]}
        for name, c in changed.items():
            ck.eq((c["published"], c["actual"]), (then[name], now[name]), "%s: published and actual" % name)
        if "成交额" in changed:
            delta = Decimal(changed["成交额"]["actual"]) - Decimal(changed["成交额"]["published"])
            ck.eq(delta, Decimal("1000.00") - Decimal(b_amount) - Decimal(d_amount) + Decimal("777.77"),
                  "成交额 moved by the correction, the move, the cancellation and the late deal")
        if "成交宗数" in changed:
            ck.eq(changed["成交宗数"]["actual"] - changed["成交宗数"]["published"], -1, "成交宗数: -2 + 1")
        if "流标废标" in changed:
            ck.eq(changed["流标废标"]["actual"] - changed["流标废标"]["published"], 1, "流标废标: +1")
        if "保证金" in changed:
            ck.eq(Decimal(changed["保证金"]["published"]) - Decimal(changed["保证金"]["actual"]),
                  Decimal(e_amount), "保证金: the deleted deposit")
        # The report command says the same.
        code, out, _ = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2021")
        ck.eq(json.loads(out).get("published") if code == 0 else None, pub, "report command: the same block")

        # -- kill -9 during a run of publications --
        results = []

        killed = threading.Event()

        def hammer():
            # Publishes until the daemon is killed under it.
            while not killed.is_set():
                try:
                    results.append(publish(daemon, "year=2021")[0])
                except Exception:
                    results.append("dropped")
                    return

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        # Once publications are answered (the restarted daemon's first
        # reconciliation is done), kill it in the middle of the next ones.
        deadline = time.time() + 60
        while len(results) < 3 and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.15)
        killed.set()
        daemon.kill9()
        for t in threads:
            t.join(timeout=60)
        daemon = Daemon(work, cfg, args=["--now", NOW])
        daemon.start()
        vs = versions(pg, 2021)
        print("kill -9 during publications: answers %s, %d versions stored" % (results, len(vs)))
        ck.eq([v[0] for v in vs], list(range(1, len(vs) + 1)), "versions numbered without gaps: %s" % [v[0] for v in vs])
        ck.true(len(vs) >= 2, "versions 1 and 2 survive")
        ck.true(sum(1 for r in results if r == 200) <= len(vs) - 2,
                "every answered publication is stored (%s, %d versions)" % (results, len(vs)))
        for v, stored, actual, formats, snapshot in vs:
            ck.eq(stored, actual, "version %d: sha256 of its JSON" % v)
            ck.true(formats, "version %d: every format whole" % v)
            ck.true(snapshot > 1000, "version %d: its snapshot (%d rows)" % (v, snapshot))
        for (v, fmt), data in published.items():
            ck.true(raw(daemon, "GET", "/api/v1/report?year=2021&version=%d&format=%s" % (v, fmt))[1] == data,
                    "version %d %s byte for byte after kill -9" % (v, fmt))
        status, after = publish(daemon, "year=2021")
        ck.eq((status, after.get("version")), (200, len(vs) + 1), "publishing goes on after the restart")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
