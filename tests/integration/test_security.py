"""Security: the bearer token on POST (and only on POST), the token file's
permissions at start and on SIGHUP, read-only source sessions (a source
whose `deals` view writes an audit row is refused by PostgreSQL, although
the role could write), and no secret — passwords in the store's and the
sources' conninfo, a wrong password, the token — in the log (at debug
level), /metrics, /readyz, /api/v1/refresh bodies, or the stdout/stderr of
--check and --once."""
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import DAEMON, Checker, Daemon, PgServer, SOURCE_DIR, config_text, free_port, source_sql, wait_until


def main():
    ck = Checker("test_security")
    work = work_dir("security")
    tag = secrets.token_hex(6)
    SECRET_STORE = "S3cr3t-store-" + tag
    SECRET_SRC = "S3cr3t-src-" + tag
    SECRET_BAD = "S3cr3t-wrong-" + tag      # a wrong password: authentication fails
    SECRET_CHECK = "S3cr3t-check-" + tag    # in a conninfo libpq cannot parse
    TOKEN = "tok-" + secrets.token_hex(16)
    all_secrets = [SECRET_STORE, SECRET_SRC, SECRET_BAD, SECRET_CHECK, TOKEN]
    seen = []  # every HTTP body and program output, grepped at the end

    pg = PgServer("security")
    daemon = None
    try:
        pg.createdb("trading")
        pg.createdb("store")
        pg.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            pg.psql("trading", "\\set rows 200\n" + f.read())
        # A role that needs a password (scram), for the failing-login case.
        pg.psql("postgres", "CREATE ROLE pwuser LOGIN PASSWORD 'the-right-one'")
        hba = os.path.join(pg.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("local all pwuser scram-sha-256\n" + rules)
        pg._run([os.path.join(pg.bindir, "pg_ctl"), "-D", pg.data, "reload"])
        time.sleep(0.5)

        token_path = os.path.join(work, "token")

        def write_token(text, mode):
            with open(token_path, "w") as f:
                f.write(text + "\n")
            os.chmod(token_path, mode)

        write_token(TOKEN, 0o600)
        port = free_port()
        store = pg.conninfo("store") + " password=" + SECRET_STORE
        trading = pg.conninfo("trading") + " password=" + SECRET_SRC
        bad_login = "host=%s port=%d user=pwuser dbname=trading password=%s connect_timeout=3" % (
            pg.sock, pg.port, SECRET_BAD)
        extra = "api_token_file = %s\n" % token_path

        def cfg(sources, opts=None):
            text = config_text(port, store, sources, extra_daemon=extra, source_opts=opts)
            return text.replace("log_level = info", "log_level = debug")

        # ---- A world-readable token file: the daemon refuses to start.
        write_token(TOKEN, 0o644)
        cfg_path = os.path.join(work, "start.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg({"trading": trading}))
        res = subprocess.run([DAEMON, "-c", cfg_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=30)
        seen.append(res.stdout + res.stderr)
        ck.eq(res.returncode, 2, "start with a world-readable token file: exit 2")
        ck.true("readable by everyone" in res.stderr and token_path in res.stderr,
                "and it says why: %s" % res.stderr.strip())
        write_token(TOKEN, 0o600)

        daemon = Daemon(work, cfg({"trading": trading}))
        daemon.start()

        def post(headers=None):
            status, body = daemon.post("/api/v1/refresh", headers)
            seen.append(repr(body))
            return status, body

        # ---- The bearer token on POST.
        status, body = post()
        ck.eq((status, body["error"]["code"]), (401, "unauthorized"), "refresh without a token")
        for h in ["Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN[:-1], "Bearer ",
                  "Bearer  " + TOKEN, "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN.upper()]:
            status, body = post({"Authorization": h})
            ck.eq(status, 401, "refresh with Authorization: %s" % h.replace(TOKEN, "<token>"))
        status, body = post({"Authorization": "Bearer " + TOKEN})
        ck.eq((status, body.get("ok")), (200, True), "refresh with the token")
        status, body = post({"Authorization": "bearer " + TOKEN})
        ck.eq(status, 200, "the scheme is case-insensitive")
        for path in ("/healthz", "/readyz", "/metrics", "/api/v1/metrics", "/api/v1/alerts",
                     "/api/v1/series?metric=deals_count&from=2021-01-01&to=2021-12-31&step=month",
                     "/api/v1/report?year=2021"):
            status, body = daemon.get(path)
            seen.append(repr(body))
            ck.eq(status, 200, "GET %s needs no token" % path)

        # ---- SIGHUP with a token file that became world-readable: the
        # running token stays.
        write_token("another-token", 0o644)
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "keeping the running configuration" in daemon.read_log(), 10,
                   what="the reload to be refused")
        ck.true("readable by everyone" in daemon.read_log(), "the log says why the reload was refused")
        ck.eq(post({"Authorization": "Bearer " + TOKEN})[0], 200, "the old token still works")
        ck.eq(post({"Authorization": "Bearer another-token"})[0], 401, "the new one is not taken")
        write_token(TOKEN, 0o600)

        # ---- Read-only sources. The harness role is a superuser: it may
        # write anywhere. `deals` becomes a view over a function that writes
        # an audit row for every read.
        pg.psql("trading", """
            CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), who text);
            ALTER TABLE deals RENAME TO deals_data;
            CREATE FUNCTION deals_spy() RETURNS SETOF deals_data LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
              INSERT INTO audit (who) VALUES (current_user);
              RETURN QUERY SELECT * FROM deals_data;
            END $$;
            CREATE VIEW deals AS SELECT * FROM deals_spy();""")
        pg.psql("trading", "SELECT count(*) FROM deals")
        ck.eq(pg.rows("trading", "SELECT count(*) FROM audit"), [["1"]],
              "outside a read-only transaction the view does write")
        pg.psql("trading", "TRUNCATE audit")
        status, body = post({"Authorization": "Bearer " + TOKEN})
        errors = {s.get("source"): s.get("error") for s in body.get("sources", [])} if isinstance(body, dict) else {}
        ck.eq(status, 502, "a poll through the writing view fails")
        ck.true("read-only transaction" in (errors.get("trading") or ""),
                "with PostgreSQL's read-only refusal: %r" % body)
        ck.eq(pg.rows("trading", "SELECT count(*) FROM audit"), [["0"]], "and nothing was written")
        ck.true("read-only transaction" in daemon.read_log(), "the log has the refusal")
        pg.psql("trading", "DROP VIEW deals; DROP FUNCTION deals_spy(); ALTER TABLE deals_data RENAME TO deals;")
        status, body = post({"Authorization": "Bearer " + TOKEN})
        ck.eq((status, body.get("ok")), (200, True), "a normal read works again")
        ck.eq(pg.rows("trading", "SELECT count(*) FROM audit"), [["0"]], "audit still empty")

        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
        seen.append(open(os.path.join(work, "daemon.log")).read())

        # ---- A source whose login fails (wrong password), from the start.
        work2 = work_dir("security2")
        daemon = Daemon(work2, cfg({"trading": trading, "expert": bad_login},
                                   {"trading": {"interval": "1h", "reconcile_interval": "1h"},
                                    "expert": {"interval": "1s", "reconcile_interval": "1h"}}))
        daemon.start(wait_ready=False)
        wait_until(lambda: "password authentication failed" in daemon.read_log(), 30,
                   what="the failing login")
        wait_until(lambda: daemon.get("/readyz")[1].get("reasons") == [r for r in daemon.get("/readyz")[1].get(
            "reasons", []) if r.startswith("source expert")], 30, what="trading's first poll")
        status, body = daemon.get("/readyz")
        seen.append(repr(body))
        ck.eq(status, 503, "/readyz with a source that cannot log in")
        ck.true(any("password authentication failed" in r for r in body.get("reasons", [])),
                "/readyz says why: %r" % body)
        status, body = post({"Authorization": "Bearer " + TOKEN})
        ck.eq(status, 502, "refresh with a failing source")
        ck.true("password authentication failed" in repr(body), "the refresh body says why: %r" % body)
        status, text = daemon.get("/metrics")
        seen.append(text)
        ck.true('ggzy_source_up{source="expert"} 0' in text, "the failing source is down in /metrics")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
        log = open(os.path.join(work2, "daemon.log")).read()
        seen.append(log)
        ck.true("password=***" in log, "the log shows conninfos redacted")

        # ---- --check and --once with secrets in bad conninfos.
        runs = {
            "--check, unparsable store conninfo": ("[daemon]\nstore = host=/x password=%s 'unterminated\n" % SECRET_CHECK,
                                                   ["--check"], 2),
            "--check, unparsable source conninfo": ("[daemon]\nstore = dbname=s\n[source trading]\n"
                                                    "conninfo = password=%s port=notaport =\n" % SECRET_CHECK,
                                                    ["--check"], 2),
            "--once, store that refuses the login": (
                "[daemon]\nstore = host=%s port=%d user=pwuser dbname=store password=%s\n" % (
                    pg.sock, pg.port, SECRET_BAD), ["--once"], 1),
            "--once, source that refuses the login": (
                "[daemon]\nstore = %s\nlog_level = debug\n[source trading]\nconninfo = %s\n" % (store, bad_login),
                ["--once"], 1),
            "--once, store that is not there": (
                "[daemon]\nstore = host=%s port=1 password=%s connect_timeout=2\n" % (work, SECRET_STORE),
                ["--once"], 1),
        }
        for what, (text, args, want) in runs.items():
            path = os.path.join(work, "run.conf")
            with open(path, "w") as f:
                f.write(text)
            res = subprocess.run([DAEMON, "-c", path] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, timeout=120)
            seen.append(res.stdout + res.stderr)
            ck.eq(res.returncode, want, "%s: exit code (%s)" % (what, res.stderr.strip()[-300:]))
            for s in all_secrets:
                ck.true(s not in res.stdout + res.stderr, "%s: %s... not in the output" % (what, s[:12]))

        for s in all_secrets:
            leaks = [x[:200] for x in seen if s in x]
            ck.eq(leaks, [], "secret %s... appears nowhere" % s[:12])
        print("secrets grepped in %d outputs (%d bytes)" % (len(seen), sum(len(x) for x in seen)))
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
