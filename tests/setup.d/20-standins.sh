#!/usr/bin/env bash
# Local stand-ins of Azure services for the adapter tests (started by the test fixtures with node):
# @vercel/cosmosdb-server (Cosmos DB NoSQL API) and azurite (Blob Storage). Installed from the lock
# file; nothing is done when they are already there.
set -euo pipefail
cd "$(dirname "$0")/../standins"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "node and npm are needed for tests/standins (install Node.js 18 or later)" >&2
    exit 1
  fi
fi
stamp=node_modules/.zawaroom-installed
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -x node_modules/.bin/cosmosdb-server ] && [ -x node_modules/.bin/azurite-blob ] \
   && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
