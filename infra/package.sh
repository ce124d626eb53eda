#!/usr/bin/env bash
# Builds the Function App's deployment package (zip deploy / WEBSITE_RUN_FROM_PACKAGE):
#   host.json                      the custom handler: `dotnet Zawaroom.Functions.dll` run in app/
#   <function>/function.json       one HTTP trigger per route (functions/triggers, made from the route table)
#   app/                           `dotnet publish` of functions/ (framework-dependent)
# Usage: bash infra/package.sh [output.zip]   (default: out/functionapp.zip)
set -euo pipefail
cd "$(dirname "$0")/.."
zip_path="$(realpath -m "${1:-out/functionapp.zip}")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dotnet publish functions -c Release -o "$stage/app" --nologo
cp host.json "$stage/"
cp -r functions/triggers/* "$stage/"
mkdir -p "$(dirname "$zip_path")"
rm -f "$zip_path"
(cd "$stage" && python3 -c 'import shutil,sys; shutil.make_archive(sys.argv[1][:-4], "zip", ".")' "$zip_path")
echo "$zip_path"
