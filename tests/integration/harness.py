"""Test harness: a private PostgreSQL (initdb into a temporary directory, a
unix socket, a free port, stopped at the end) and the real daemon over real
HTTP. Python standard library only.

Environment:
  GGZY_DAEMON      path of the ggzy-metricsd binary (set by CTest)
  GGZY_SOURCE_DIR  the source tree (set by CTest)
  GGZY_KEEP        keep temporary directories for inspection
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pq

SOURCE_DIR = os.environ.get("GGZY_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DAEMON = os.environ.get("GGZY_DAEMON", os.path.join(SOURCE_DIR, "build", "ggzy-metricsd"))


def pg_bindir():
    for cand in sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: -int(v)):
        d = os.path.join("/usr/lib/postgresql", cand, "bin")
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """A throw-away PostgreSQL cluster. initdb refuses to run as root, so
    when we are root the server runs as the 'postgres' system user."""

    def __init__(self, name="pg", tcp=False, settings=None):
        self.bindir = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="ggzy-%s-" % name)
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.sock = self.dir
        self.port = free_port()
        self.tcp = tcp  # also listen on 127.0.0.1:port (stopped: "connection refused")
        # extra server settings ({"wal_level": "logical"}), after the defaults
        self.settings = dict({"max_connections": "50"}, **(settings or {}))
        self._pq = pq.Client()
        self.as_user = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")
        self._run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        self.start()

    def _run(self, cmd):
        res = subprocess.run(self.as_user + cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, cwd=self.dir)
        if res.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), res.stdout))
        return res.stdout

    def start(self):
        opts = ("-k %s -p %d -c listen_addresses='%s' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off" % (self.sock, self.port, "127.0.0.1" if self.tcp else ""))
        opts += "".join(" -c %s=%s" % kv for kv in self.settings.items())
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-o", opts,
                   "-l", os.path.join(self.dir, "server.log"), "-w", "start"])

    def stop(self, mode="fast"):
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"])

    def conninfo(self, db):
        host = "127.0.0.1" if self.tcp else self.sock
        return "host=%s port=%d user=postgres dbname=%s" % (host, self.port, db)

    def psql(self, db, sql, check=True):
        """Runs SQL as psql -A -t would and returns what it prints: libpq
        in-process (tests/integration/pq.py), or psql itself for a script
        with meta-commands."""
        if not re.search(r"^\s*\\", sql, re.M):
            out, err = self._pq.run("host=%s port=%d user=postgres dbname=%s"
                                    % (self.sock, self.port, db), sql)
            if check and err:
                raise RuntimeError("psql failed: %s\n%s" % (err, sql[:2000]))
            return out
        res = self.psql_process(db, sql)
        if check and res.returncode != 0:
            raise RuntimeError("psql failed: %s\n%s" % (res.stderr, sql[:2000]))
        return res.stdout

    def psql_process(self, db, sql):
        """SQL run by psql itself, as psql() runs it (test_pq's reference)."""
        return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                               "-h", self.sock, "-p", str(self.port), "-U", "postgres", "-d", db],
                              input=sql, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def rows(self, db, sql):
        out = self.psql(db, sql)
        return [line.split("\t") for line in out.splitlines() if line]

    def createdb(self, db):
        self.psql("postgres", "CREATE DATABASE %s" % db)

    def close(self):
        self._pq.close()
        try:
            self.stop("immediate")
        except Exception:
            pass
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


class Daemon:
    def __init__(self, workdir, config_text, args=()):
        self.workdir = workdir
        self.config = os.path.join(workdir, "ggzy-metricsd.conf")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.args = list(args)
        self.log_path = os.path.join(workdir, "daemon.log")
        self.proc = None
        self.port = None
        for line in config_text.splitlines():
            if line.strip().startswith("listen"):
                self.port = int(line.split("=")[1].split(";")[0].strip().rsplit(":", 1)[1])

    def start(self, wait_ready=True, timeout=60):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([DAEMON, "-c", self.config] + self.args,
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        path = "/readyz" if wait_ready else "/healthz"
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                status, _ = self.get(path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("daemon not %s after %ss:\n%s" % (path, timeout, self.read_log()))

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def request(self, method, path, body=None, headers=None, timeout=60):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=body,
                                     method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read().decode()
                status = r.status
                ctype = r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            raw = e.read().decode()
            status = e.code
            ctype = e.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return status, json.loads(raw)
        return status, raw

    def get(self, path, timeout=60):
        return self.request("GET", path, timeout=timeout)

    def post(self, path, headers=None, timeout=120):
        return self.request("POST", path, body=b"", headers=headers, timeout=timeout)

    def refresh(self):
        status, body = self.post("/api/v1/refresh")
        if status != 200:
            raise RuntimeError("refresh failed: %s %s\n%s" % (status, body, self.read_log()[-3000:]))
        return body

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        self.log.close()
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)


def run_daemon(config_path, *args, timeout=300):
    """Runs the binary to completion (--check, --once)."""
    res = subprocess.run([DAEMON, "-c", config_path] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=timeout)
    return res.returncode, res.stdout, res.stderr


def source_sql(name):
    with open(os.path.join(SOURCE_DIR, "sql", "contract", name)) as f:
        return f.read()


def hold_lock(pg, db, table):
    """A psql session that takes an ACCESS EXCLUSIVE lock on TABLE and holds
    it (until release_lock), so that every read of the table waits."""
    p = subprocess.Popen(["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres",
                          "-d", db, "-c", "BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE; "
                          "SELECT pg_sleep(120);" % table],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, PGAPPNAME="ggzy-test-locker"))
    name = table.split(".")[-1]
    wait_until(lambda: pg.rows(db, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                   "WHERE c.relname = '%s' AND l.mode = 'AccessExclusiveLock' "
                                   "AND l.granted" % name)[0][0] == "1", timeout=10, what="the lock")
    return p


def release_lock(pg, db, p):
    """Ends a hold_lock session: its backend does not notice a dead client
    while it sleeps, so terminate the backend (of the test's own server)."""
    pg.psql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'ggzy-test-locker'")
    p.wait(timeout=10)


def config_text(port, store, sources, extra_daemon="", source_opts=None):
    opts = source_opts or {}
    text = "[daemon]\nlisten = 127.0.0.1:%d\ntimezone = Asia/Shanghai\nstore = %s\nlog_level = %s\n%s" % (
        port, store, os.environ.get("GGZY_LOG_LEVEL", "info"), extra_daemon)
    for name, conninfo in sources.items():
        text += "\n[source %s]\nconninfo = %s\n" % (name, conninfo)
        for k, v in opts.get(name, {"interval": "1h", "reconcile_interval": "1h"}).items():
            text += "%s = %s\n" % (k, v)
    return text


class Checker:
    def __init__(self, name):
        self.name = name
        self.checks = 0
        self.failures = []

    def eq(self, got, want, what):
        self.checks += 1
        if got != want:
            self.failures.append("%s: got %r, want %r" % (what, got, want))

    def true(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)

    def finish(self):
        for f in self.failures[:50]:
            print("FAIL", f)
        if len(self.failures) > 50:
            print("... and %d more" % (len(self.failures) - 50))
        print("%s: %d checks, %d failed" % (self.name, self.checks, len(self.failures)))
        if self.failures or os.environ.get("GGZY_KEEP"):
            for d in WORK_DIRS:
                print("kept", d)
        else:
            for d in WORK_DIRS:
                shutil.rmtree(d, ignore_errors=True)
        sys.exit(1 if self.failures else 0)


WORK_DIRS = []


def work_dir(name):
    """A test's work directory (configurations, daemon logs): removed by
    Checker.finish when every check passed, kept (and named) when one
    failed or GGZY_KEEP is set."""
    path = tempfile.mkdtemp(prefix="ggzy-%s-" % name)
    WORK_DIRS.append(path)
    return path


def wait_until(cond, timeout=60, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(interval)
    raise RuntimeError("timed out waiting for %s" % what)


def reconciled_at(daemon, source):
    """ggzy_reconcile_last_success_timestamp_seconds of SOURCE (None: none yet)."""
    status, text = daemon.get("/metrics", timeout=10)
    assert status == 200, (status, text)
    m = re.search(r'^ggzy_reconcile_last_success_timestamp_seconds\{source="%s"\} (\S+)$'
                  % re.escape(source), text, re.M)
    return float(m.group(1)) if m else None


def wait_reconciled(daemon, sources, after, timeout=60):
    """Until every source of SOURCES had a successful reconciliation that
    started after AFTER (a time.time()). The gauge says when the last one
    ended: one that ended after AFTER may have read the source before it (CI
    once saw hard deletes left unrepaired that way), so wait for the next one
    too; a source runs one job at a time, so that one began later."""
    def ended_after(t):
        return lambda: all((reconciled_at(daemon, s) or 0) > t[s] for s in sources)
    wait_until(ended_after({s: after for s in sources}), timeout=timeout,
               what="a reconciliation of %s ending after the changes" % (sources,))
    ended = {s: reconciled_at(daemon, s) for s in sources}
    wait_until(ended_after(ended), timeout=timeout,
               what="a reconciliation of %s starting after the changes" % (sources,))
