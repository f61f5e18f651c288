"""Deployment files: `cmake --install` (prefix and DESTDIR) puts the binary,
SQL, example configuration, systemd unit and Grafana files in place and the
installed binary accepts the installed configuration; the unit passes
`systemd-analyze verify` and is hardened; the Dockerfile and
docker-compose.yml refer to files that exist and agree with each other (no
Docker engine here: they are checked, not built); the compose PostgreSQL
init script, run against a real PostgreSQL, gives sources and a store on
which the daemon, with the compose configuration, completes --once."""
import base64
import os
import re
import socket
import ssl
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import DAEMON, Checker, Daemon, PgServer, free_port, wait_until, SOURCE_DIR

CI = os.environ.get("CI") == "true"
BUILD_DIR = os.path.dirname(os.path.abspath(DAEMON))


def run(cmd, env=None, timeout=120):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=dict(os.environ, **(env or {})), timeout=timeout)
    return res.returncode, res.stdout


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return str(e)


def read(*parts):
    with open(os.path.join(SOURCE_DIR, *parts)) as f:
        return f.read()


def check_install(ck, work):
    prefix = os.path.join(work, "prefix")
    code, out = run(["cmake", "--install", BUILD_DIR, "--prefix", prefix])
    ck.eq(code, 0, "cmake --install --prefix: %s" % out[-2000:])
    want = ["bin/ggzy-metricsd", "etc/ggzy-metricsd/ggzy-metricsd.conf", "etc/ggzy-metricsd/targets.json",
            "lib/systemd/system/ggzy-metricsd.service",
            "share/ggzy-metricsd/grafana/dashboards/ggzy-metricsd.json",
            "share/ggzy-metricsd/grafana/provisioning/datasources/ggzy-metricsd.yml",
            "share/ggzy-metricsd/grafana/provisioning/dashboards/ggzy-metricsd.yml",
            "share/ggzy-metricsd/prometheus/prometheus.yml", "share/ggzy-metricsd/prometheus/ggzy-rules.yml",
            "share/ggzy-metricsd/sql/grafana/readonly_role.sql",
            "share/ggzy-metricsd/examples/ggzy-metricsd.conf"]
    for name in sorted(os.listdir(os.path.join(SOURCE_DIR, "sql", "store"))):
        want.append("share/ggzy-metricsd/sql/store/" + name)
    for name in sorted(os.listdir(os.path.join(SOURCE_DIR, "sql", "contract"))):
        want.append("share/ggzy-metricsd/sql/contract/" + name)
    for rel in want:
        ck.true(os.path.isfile(os.path.join(prefix, rel)), "installed: %s" % rel)
    ck.true(os.access(os.path.join(prefix, "bin/ggzy-metricsd"), os.X_OK), "the binary is executable")
    conf = os.path.join(prefix, "etc/ggzy-metricsd/ggzy-metricsd.conf")
    code, out = run([os.path.join(prefix, "bin/ggzy-metricsd"), "-c", conf, "--check"])
    ck.eq((code, out.strip()), (0, conf + ": ok (no targets file)"),
          "the installed binary checks the installed config")
    code, out = run([os.path.join(prefix, "bin/ggzy-metricsd"), "--version"])
    ck.true(code == 0 and out.startswith("ggzy-metricsd "), "installed --version: %s" % out)
    unit_path = os.path.join(prefix, "lib/systemd/system/ggzy-metricsd.service")
    with open(unit_path) as f:
        unit = f.read()
    ck.true("ExecStart=%s/bin/ggzy-metricsd -c %s\n" % (prefix, conf) in unit,
            "the installed unit runs the installed binary on the installed config")
    # a second install keeps an edited configuration
    with open(conf, "a") as f:
        f.write("; edited by the operator\n")
    code, out = run(["cmake", "--install", BUILD_DIR, "--prefix", prefix])
    ck.true(code == 0 and "Keeping existing: " + conf in out, "reinstall keeps the configuration: %s" % out[-500:])
    with open(conf) as f:
        ck.true(f.read().endswith("; edited by the operator\n"), "the edit survived")
    # a package-style install: prefix /usr into DESTDIR, configuration in /etc
    dest = os.path.join(work, "dest")
    code, out = run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"], env={"DESTDIR": dest})
    ck.eq(code, 0, "DESTDIR install: %s" % out[-1000:])
    for rel in ("usr/bin/ggzy-metricsd", "etc/ggzy-metricsd/ggzy-metricsd.conf",
                "usr/lib/systemd/system/ggzy-metricsd.service", "usr/share/ggzy-metricsd/sql/store/001_initial.sql"):
        ck.true(os.path.isfile(os.path.join(dest, rel)), "DESTDIR install: %s" % rel)
    with open(os.path.join(dest, "usr/lib/systemd/system/ggzy-metricsd.service")) as f:
        ck.eq(f.read(), read("deploy", "systemd", "ggzy-metricsd.service"),
              "for prefix /usr the unit is the shipped file unchanged")
    return unit_path


HARDENING = ["DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
             "PrivateTmp=yes", "PrivateDevices=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
             "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
             "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "Type=simple",
             "ProtectKernelTunables=yes", "ProtectControlGroups=yes", "RestrictNamespaces=yes",
             "LockPersonality=yes", "SystemCallArchitectures=native", "UMask=0077"]


def check_systemd(ck, unit_path):
    unit = read("deploy", "systemd", "ggzy-metricsd.service")
    for line in HARDENING:
        ck.true(("\n" + line) in unit if line.endswith("\n") else re.search(r"^%s$" % re.escape(line), unit, re.M),
                "unit has %s" % line.strip())
    ck.true("ExecStartPre=/usr/bin/ggzy-metricsd -c /etc/ggzy-metricsd/ggzy-metricsd.conf --check" in unit,
            "the configuration is checked before a start")
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        ck.true(not CI, "systemd-analyze is required when CI=true")
        print("systemd-analyze not installed: unit not verified")
        return
    code, out = run([analyze, "verify", unit_path])
    ck.eq((code, out.strip()), (0, ""), "systemd-analyze verify of the installed unit")
    code, out = run([analyze, "security", "--offline=true", unit_path])
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out)
    ck.true(m is not None and float(m.group(1)) <= 2.0,
            "systemd-analyze security exposure <= 2.0: %s" % (m.group(0) if m else out[-300:]))


def needed_packages():
    """Debian packages of the shared libraries the built binary needs."""
    code, out = run(["readelf", "-d", DAEMON])
    libs = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    pkgs = {}
    for lib in libs:
        # libc is in every image; the sanitizer runtimes only in the ASan build
        if lib.startswith(("libc.so", "libm.so", "libasan.so", "libubsan.so", "liblsan.so")):
            continue
        code, out = run(["dpkg", "-S", "*/" + lib])
        pkgs[lib] = out.split(":")[0].strip() if code == 0 else None
    return pkgs


def check_dockerfile(ck):
    text = read("Dockerfile")
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    ck.eq(len(stages), 2, "two stages")
    ck.true(all(s.startswith("debian:bookworm-slim") for s in stages), "both stages on debian:bookworm-slim")
    build, runtime = stages
    # every COPY from the context exists
    for m in re.finditer(r"^COPY (?!--from)(\S+)", text, re.M):
        ck.true(os.path.exists(os.path.join(SOURCE_DIR, m.group(1))), "COPY source exists: %s" % m.group(1))
    ck.true("COPY --from=build /stage/ /" in runtime, "runtime takes the installed tree from the build stage")
    for pkg in ("cmake", "libevent-dev", "libjansson-dev", "libpq-dev"):
        ck.true(re.search(r"\b%s\b" % re.escape(pkg), build), "build stage installs %s" % pkg)
        ck.true(not re.search(r"\b%s\b" % re.escape(pkg), runtime), "runtime stage lacks %s" % pkg)
    for lib, pkg in needed_packages().items():
        ck.true(pkg is not None and re.search(r"\b%s\b" % re.escape(pkg), runtime),
                "runtime installs %s for %s" % (pkg, lib))
    ck.true(re.search(r"^USER (?!root|0\b)\S+", runtime, re.M), "runs as a non-root user")
    ck.true(re.search(r"^HEALTHCHECK .*\n?.*http://127\.0\.0\.1:9470/healthz", runtime, re.M), "HEALTHCHECK on /healthz")
    ck.true('ENTRYPOINT ["/usr/bin/ggzy-metricsd"]' in runtime, "entrypoint is the daemon")
    # The build stage's context, as its COPY lines make it, configures
    # (CMake checks that every source file it names is there).
    ctx = work_dir("docker-ctx")
    try:
        for m in re.finditer(r"^COPY (?!--from)(\S+) (\S+)$", build, re.M):
            src, dst = os.path.join(SOURCE_DIR, m.group(1)), m.group(2)
            dst = os.path.join(ctx, dst if dst != "./" else os.path.basename(src))
            if os.path.isdir(src):
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(src, dst)
        flags = re.search(r"cmake -S \. -B build (.*?)\s*\\\n\s*(-D.*?)\s*\\", build)
        args = (flags.group(1) + " " + flags.group(2)).split() if flags else []
        ck.true("-DCMAKE_INSTALL_PREFIX=/usr" in args, "the image installs under /usr: %s" % args)
        code, out = run(["cmake", "-S", ctx, "-B", os.path.join(ctx, "build")] + args)
        ck.eq(code, 0, "the Dockerfile's build context configures: %s" % out[-1500:])
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    ignore = read(".dockerignore")
    ck.true("build*/" in ignore and ".git/" in ignore, ".dockerignore keeps build trees out")


def compose_services(text):
    """A small structural reading of docker-compose.yml: service name -> its text."""
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    services = {}
    for m in re.finditer(r"^  ([a-z][a-z0-9-]*):\n((?:    .*\n|\s*\n)*)", body, re.M):
        services[m.group(1)] = m.group(2)
    return services


def check_compose(ck):
    text = read("docker-compose.yml")
    ck.true("\t" not in text, "no tabs in YAML")
    services = compose_services(text)
    ck.eq(sorted(services), ["alertmanager", "ggzy-metricsd", "grafana", "postgres", "prometheus"], "services")
    for name, body in services.items():
        for m in re.finditer(r'^\s+- "?(\./[^:"]+):([^:"]+)(?::ro)?"?$', body, re.M):
            ck.true(os.path.exists(os.path.join(SOURCE_DIR, m.group(1))), "%s mounts %s, which exists" % (name, m.group(1)))
        for m in re.finditer(r'^\s+- "(\S+):(\d+):(\d+)"$', body, re.M):
            ck.eq(m.group(1), "127.0.0.1", "%s publishes port %s on loopback only" % (name, m.group(2)))
    ck.true("build: ." in services["ggzy-metricsd"], "the daemon is built from the Dockerfile")
    conf = read("deploy", "docker", "ggzy-metricsd.conf")
    ck.true(re.search(r"^listen = 0\.0\.0\.0:9470\b", conf, re.M), "the compose config listens on the container's port")
    ck.true('"127.0.0.1:9470:9470"' in services["ggzy-metricsd"], "and compose publishes it")
    ck.true("webhook = http://alertmanager:9093/api/v2/alerts" in conf, "alerts go to the alertmanager service")
    for host in re.findall(r"host=(\S+)", conf):
        ck.true(host in services, "conninfo host %s is a service" % host)
    # Prometheus: the mounted directory holds the config compose names, which
    # scrapes the daemon's service and port and alerts to the alertmanager service
    m = re.search(r"--config\.file=/etc/prometheus/(\S+?)\"", services["prometheus"])
    ck.true(m and os.path.isfile(os.path.join(SOURCE_DIR, "deploy", "prometheus", m.group(1))),
            "Prometheus' config file is in deploy/prometheus")
    prom = read("deploy", "prometheus", m.group(1)) if m else ""
    ck.true('"ggzy-metricsd:9470"' in prom and '"alertmanager:9093"' in prom and "ggzy-rules.yml" in prom,
            "prometheus-docker.yml scrapes ggzy-metricsd:9470, alerts to alertmanager:9093, loads the rules")
    host = read("deploy", "prometheus", "prometheus.yml")
    strip = lambda t: re.sub(r'"[^"]*:(9470|9093)"', "", re.sub(r"^#.*\n", "", t, flags=re.M))
    ck.eq(strip(prom), strip(host), "prometheus.yml and prometheus-docker.yml differ only in addresses")
    # Grafana: provisioning and dashboards mounted where the provider looks
    provider = read("deploy", "grafana", "provisioning", "dashboards", "ggzy-metricsd.yml")
    path = re.search(r"path: (\S+)", provider).group(1)
    ck.true("./deploy/grafana/dashboards:%s:ro" % path in services["grafana"], "dashboards mounted at the provider's path")
    ck.true("GGZY_GRAFANA_PASSWORD: ggzy-demo-grafana" in services["grafana"] and
            "GGZY_GRAFANA_PASSWORD: ggzy-demo-grafana" in services["postgres"], "one Grafana password")
    ck.true("/docker-entrypoint-initdb.d" in services["postgres"], "PostgreSQL init scripts mounted")
    amtool = shutil.which("amtool")
    if amtool:
        code, out = run([amtool, "check-config", os.path.join(SOURCE_DIR, "deploy", "docker", "alertmanager.yml")])
        ck.eq(code, 0, "amtool check-config deploy/docker/alertmanager.yml: %s" % out)
    else:
        ck.true(not CI, "amtool is required when CI=true (Debian package prometheus-alertmanager)")
        print("amtool not installed: alertmanager.yml not checked by it")
    # Compose's own validation (docker-compose 1.x needs no engine for it)
    compose = shutil.which("docker-compose")
    if not compose:
        ck.true(not CI, "docker-compose is required when CI=true (deploy/install-deps.sh test)")
        print("docker-compose not installed: docker-compose.yml not validated by it")
        return
    code, out = run([compose, "-f", os.path.join(SOURCE_DIR, "docker-compose.yml"), "config", "-q"])
    ck.eq((code, out.strip()), (0, ""), "docker-compose config validates docker-compose.yml")


def check_init_script(ck, work):
    """The compose init script on a real PostgreSQL, then the daemon with the
    compose configuration (hosts and ports rewritten to that server)."""
    pg = PgServer("deploy")
    try:
        env = {"PGHOST": pg.sock, "PGPORT": str(pg.port), "POSTGRES_USER": "postgres",
               "GGZY_DEMO_ROWS": "400", "GGZY_SQL_DIR": os.path.join(SOURCE_DIR, "sql"),
               "GGZY_DEMO_DIR": os.path.join(SOURCE_DIR, "deploy", "demo"), "GGZY_GRAFANA_PASSWORD": "pw"}
        code, out = run(["bash", os.path.join(SOURCE_DIR, "deploy", "docker", "initdb", "10-ggzy-demo.sh")], env=env)
        ck.eq(code, 0, "initdb script: %s" % out[-2000:])
        ck.eq(pg.rows("trading", "SELECT count(*) FROM deals"), [["400"]], "demo deals loaded")
        conf = read("deploy", "docker", "ggzy-metricsd.conf")
        conf = conf.replace("host=postgres", "host=%s port=%d" % (pg.sock, pg.port))
        conf = conf.replace("0.0.0.0:9470", "127.0.0.1:%d" % free_port())
        conf = conf.replace("/etc/ggzy-metricsd/targets.json", os.path.join(SOURCE_DIR, "config", "targets.json"))
        conf = conf.replace("http://alertmanager:9093", "http://127.0.0.1:%d" % free_port())
        path = os.path.join(work, "compose.conf")
        with open(path, "w") as f:
            f.write(conf)
        code, out = run([DAEMON, "-c", path, "--once", "--now", "2022-12-31T12:00:00"], timeout=300)
        # every source succeeds; only the alert delivery to the absent Alertmanager fails
        ck.true("--once: every source succeeded" in out, "--once with the compose configuration: %s" % out[-2000:])
        ck.eq(pg.rows("ggzy_metrics", "SELECT sum(value) FROM ggzy_api.daily_values WHERE metric = 'deals_count'"),
              pg.rows("trading", "SELECT count(*) FROM deals WHERE status = 'awarded'"), "the store holds the deals")
        ck.eq(pg.rows("ggzy_metrics", "SELECT tableowner FROM pg_tables WHERE tablename = 'image'"), [["ggzy"]],
              "the store belongs to ggzy")
        res = subprocess.run(["psql", "-X", "-A", "-t", "-h", pg.sock, "-p", str(pg.port), "-U", "ggzy_grafana",
                              "-d", "ggzy_metrics", "-c", "SELECT count(*) > 0 FROM daily_values"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        ck.eq(res.stdout.strip(), "t", "ggzy_grafana reads the views")
        res = subprocess.run(["psql", "-X", "-A", "-t", "-h", pg.sock, "-p", str(pg.port), "-U", "ggzy_ro",
                              "-d", "trading", "-c", "DELETE FROM deals"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        ck.true(res.returncode != 0, "ggzy_ro cannot write the sources: %s" % res.stdout.strip())
    finally:
        pg.close()


def check_nginx(ck, work):
    """deploy/nginx/ggzy-metricsd.conf in a real nginx (Debian's), its paths
    and ports rewritten to a scratch directory, in front of a real daemon:
    HTTPS only, a login, read-only; the page and the API come through."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        ck.true(not CI, "nginx is required when CI=true (deploy/install-deps.sh test)")
        print("nginx not installed: the reverse-proxy configuration is not tried")
        return
    d = os.path.join(work, "nginx")
    os.makedirs(os.path.join(d, "logs"))
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    code, out = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert])
    ck.eq(code, 0, "a self-signed certificate: %s" % out[-500:])
    code, hashed = run(["openssl", "passwd", "-apr1", "s3cret"])
    htpasswd = os.path.join(d, "htpasswd")
    with open(htpasswd, "w") as f:
        f.write("operator:%s\n" % hashed.strip())
    daemon_port, http_port, https_port = free_port(), free_port(), free_port()
    site = read("deploy", "nginx", "ggzy-metricsd.conf")
    for a, b in (("127.0.0.1:9470", "127.0.0.1:%d" % daemon_port),
                 ("/etc/ggzy-metricsd/tls/fullchain.pem", cert), ("/etc/ggzy-metricsd/tls/privkey.pem", key),
                 ("/etc/nginx/ggzy-metricsd.htpasswd", htpasswd),
                 ("listen 443 ssl;", "listen 127.0.0.1:%d ssl;" % https_port),
                 ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
                 ("listen [::]:443 ssl;", ""), ("listen [::]:80;", "")):
        ck.true(a in site, "the shipped site has %s" % a)
        site = site.replace(a, b)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("%sworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/logs/error.log;\n"
                "events {}\nhttp {\n access_log %s/logs/access.log;\n client_body_temp_path %s;\n"
                " proxy_temp_path %s;\n%s\n}\n" % ("user root;\n" if os.geteuid() == 0 else "",
                                                     d, d, d, d, d, site))
    pg = PgServer("nginx")
    daemon = None
    proc = None
    try:
        pg.createdb("store")
        daemon = Daemon(work, "[daemon]\nlisten = 127.0.0.1:%d\nstore = %s\n" % (daemon_port, pg.conninfo("store")))
        daemon.start()
        code, out = run([nginx, "-t", "-p", d, "-c", os.path.join(d, "nginx.conf")])
        ck.eq(code, 0, "nginx -t accepts the site: %s" % out)
        proc = subprocess.Popen([nginx, "-p", d, "-c", os.path.join(d, "nginx.conf"), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False

        def fetch(path, method="GET", auth=None, scheme="https", port=https_port):
            headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
            req = urllib.request.Request("%s://127.0.0.1:%d%s" % (scheme, port, path), method=method,
                                         headers=headers, data=b"" if method == "POST" else None)
            try:
                with urllib.request.urlopen(req, timeout=10, context=ctx if scheme == "https" else None) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode(errors="replace")

        def answering():
            try:
                return fetch("/healthz")[0] == 401
            except OSError:
                return proc.poll() is not None  # exited: the checks below say why
        wait_until(answering, timeout=10, what="nginx answering")
        ck.eq(proc.poll(), None, "nginx runs: %s" % read_file(os.path.join(d, "logs", "error.log")))
        ck.eq(fetch("/healthz")[0], 401, "no login, no page")
        ck.eq(fetch("/healthz", auth="operator:wrong")[0], 401, "a wrong password")
        status, body = fetch("/", auth="operator:s3cret")
        ck.true(status == 200 and "dashboard.js" in body, "the page through nginx: %s" % status)
        status, body = fetch("/api/v1/status", auth="operator:s3cret")
        ck.true(status == 200 and '"timezone"' in body, "the JSON API through nginx: %s" % status)
        ck.eq(fetch("/api/v1/refresh", method="POST", auth="operator:s3cret")[0], 403, "read-only: no POST")
        with socket.create_connection(("127.0.0.1", http_port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            head = s.recv(512).decode(errors="replace")
        ck.true(head.startswith("HTTP/1.1 301") and "Location: https://" in head, "http redirects: %s" % head[:80])
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
        if daemon:
            daemon.stop()
        pg.close()


def main():
    ck = Checker("test_deploy")
    work = work_dir("deploy")
    try:
        unit = check_install(ck, work)
        check_systemd(ck, unit)
        check_dockerfile(ck)
        check_compose(ck)
        check_init_script(ck, work)
        check_nginx(ck, work)
    finally:
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
