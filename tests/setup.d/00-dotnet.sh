#!/usr/bin/env bash
set -euo pipefail
dotnet restore Zawaroom.Functions.sln
