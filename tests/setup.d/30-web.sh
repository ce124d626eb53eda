#!/usr/bin/env bash
# The web app's npm packages (static-web/ and the browser tests in tests/e2e/) and Debian's
# chromium with a Japanese font for the browser tests. Each step only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

npm_ci_if_stale() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

if ! command -v npm >/dev/null; then
  echo "npm is missing: install Node.js 20+ (the web app and its browser tests need it)" >&2
  exit 1
fi
npm_ci_if_stale static-web
npm_ci_if_stale tests/e2e

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
# Without a Japanese font the screenshots show boxes instead of the labels.
[ -n "$(fc-list :lang=ja 2>/dev/null || true)" ] || packages+=(fonts-ipafont-gothic)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "apt-get install ${packages[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "Missing ${packages[*]}: run as root, or install them: apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
