#!/usr/bin/env bash
# Installs what ggzy-metricsd needs on Debian (12 "bookworm" or later). Only
# missing packages are installed.
#   deploy/install-deps.sh          build and run the daemon (demo)
#   deploy/install-deps.sh test     also what the test suite drives: a browser,
#                                   wrk, clang's libFuzzer, valgrind, promtool
#   deploy/install-deps.sh bench    also the benchmark's peers and tools
set -euo pipefail

build=(build-essential cmake pkg-config libevent-dev libjansson-dev libpq-dev zlib1g-dev libssl-dev
       libxlsxwriter-dev postgresql postgresql-contrib python3 tzdata)
# The browser test (chromium, a CJK font, node), load (wrk), fuzzing (clang's
# libFuzzer), the leak soak (valgrind), promtool and Prometheus, the deploy
# checks (docker-compose config, systemd-analyze verify) and the benchmark's
# smoke run, which starts the generic exporters too; clang-format and cppcheck
# for tests/lint.sh; nginx for the reverse-proxy configuration's test;
# python3-openpyxl, an independent reader of the XLSX workbooks; openssl
# for the HTTPS feed's certificate; time for the benchmark's --once peak RSS.
test=(procps time chromium fonts-wqy-microhei nodejs wrk clang libclang-rt-14-dev clang-format cppcheck
      valgrind prometheus nginx python3-openpyxl openssl
      docker-compose systemd prometheus-alertmanager prometheus-postgres-exporter prometheus-sql-exporter)
bench=(hyperfine linux-perf)

packages=("${build[@]}")
for group in "$@"; do
	case $group in
	test) packages+=("${test[@]}") ;;
	bench) packages+=("${test[@]}" "${bench[@]}") ;;
	*)
		echo "install-deps: unknown group '$group' (test | bench)" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs from NodeSource bundles npm; Debian's own nodejs needs the npm package.
if [ "${packages[*]}" != "${build[*]}" ] && ! command -v npm >/dev/null; then
	missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
		exit 1
	fi
	sudo="sudo"
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
