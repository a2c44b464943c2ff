#!/usr/bin/env bash
# Idempotent: make a Docker engine answer on this machine, for the Docker sandbox.
# Installs Debian's docker.io and debootstrap when missing and, as root without systemd,
# starts dockerd in the background. Safe to re-run: does nothing when `docker info` answers.
set -euo pipefail

log=${CODEFRONT_DOCKERD_LOG:-/var/log/codefront-dockerd.log}
wait_s=${CODEFRONT_DOCKERD_WAIT:-60}

say() { echo "docker-engine: $*" >&2; }
die() { say "error: $*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    is_root || die "missing ${missing[*]}: run \`sudo apt-get install -y ${missing[*]}\` (or re-run this script as root)"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

docker info >/dev/null 2>&1 && { say "engine is up"; exit 0; }

if pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd is running but not answering yet; waiting"
elif is_root; then
    say "starting dockerd (log: $log)"
    # setsid: the engine must outlive this script and the shell that ran it.
    setsid dockerd >>"$log" 2>&1 < /dev/null &
else
    die "the Docker engine is not running and we are not root: start it (\`sudo systemctl start docker\`, or \`sudo $0\`), and make sure your user may use /var/run/docker.sock (group docker)"
fi

for _ in $(seq "$wait_s"); do
    docker info >/dev/null 2>&1 && { say "engine is up"; exit 0; }
    sleep 1
done
die "dockerd did not answer within ${wait_s}s: see $log"
