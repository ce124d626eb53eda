#!/usr/bin/env bash
# Builds the deployment packages of both Function Apps (zip deploy / WEBSITE_RUN_FROM_PACKAGE):
# out/functionapp.zip — the API app (custom handler):
#   host.json                      the custom handler: `dotnet Zawaroom.Functions.dll` run in app/
#   <function>/function.json       one HTTP trigger per route (functions/triggers, made from the route table)
#   app/                           `dotnet publish` of functions/ (framework-dependent)
# out/syncworker.zip — the SyncWorker app (dotnet-isolated): `dotnet publish` of functions/SyncWorker, whose folder
#   holds its host.json (the Durable task hub), functions.metadata (timers, orchestrations, activities, the queue) and
#   extensions.json.
# Usage: bash infra/package.sh [output-dir]   (default: out/)
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-out}")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
zip_dir() { (cd "$1" && python3 -c 'import shutil,sys; shutil.make_archive(sys.argv[1][:-4], "zip", ".")' "$2"); }
mkdir -p "$out"

dotnet publish functions -c Release -o "$stage/api/app" --nologo
cp host.json "$stage/api/"
cp -r functions/triggers/* "$stage/api/"
rm -f "$out/functionapp.zip"
zip_dir "$stage/api" "$out/functionapp.zip"

dotnet publish functions/SyncWorker -c Release -o "$stage/worker" --nologo -p:SkipStaticWeb=true
rm -f "$out/syncworker.zip"
zip_dir "$stage/worker" "$out/syncworker.zip"

echo "$out/functionapp.zip"
echo "$out/syncworker.zip"
