#!/usr/bin/env bash
# Installs what building, running and testing ggzy-metricsd needs on Debian
# (12 "bookworm" or later). Only missing packages are installed.
set -euo pipefail

packages=(build-essential cmake pkg-config libevent-dev libjansson-dev libpq-dev
          postgresql postgresql-contrib python3 tzdata)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
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
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
