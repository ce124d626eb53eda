#!/usr/bin/env bash
# Janus (the SFU) and coturn (STUN/TURN) for the media tests: the tests start them on loopback with
# generated configs (tests/Zawaroom.Tests/Media/MediaServers.cs). The Debian packages' own services
# are not started (the tests run their own instances on free ports).
set -euo pipefail
packages=()
command -v janus >/dev/null || packages+=(janus)
command -v turnserver >/dev/null || packages+=(coturn)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "apt-get install ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null; }
else
  echo "Missing ${packages[*]}: run as root, or install them: apt-get install ${packages[*]}" >&2
  exit 1
fi
