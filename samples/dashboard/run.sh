#!/usr/bin/env bash
# The standalone Aspire Dashboard on loopback: a trace, metrics and log viewer for CancelDemo's OpenTelemetry, with
# nothing to install but what `dotnet restore` downloads (NuGet package Aspire.Dashboard.Sdk.linux-x64).
#
#   samples/dashboard/run.sh                 the browser UI on 18888, OTLP/gRPC on 4317
#   samples/dashboard/run.sh 18900 4400      other ports
#
# It prints the two lines to paste: the dashboard's URL, and how to start the server exporting to it. Anonymous
# access, loopback only: for a developer's machine. Ctrl-C stops it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ui_port=${1:-18888}
otlp_port=${2:-4317}
for port in "$ui_port" "$otlp_port"; do
  if [[ ! $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "run.sh: '$port' is not a port (1-65535). Usage: run.sh [UI_PORT] [OTLP_PORT]" >&2
    exit 1
  fi
done
dotnet restore "$here/AspireDashboard.csproj" --verbosity quiet >/dev/null
folder=$(dotnet msbuild "$here/AspireDashboard.csproj" -getProperty:AspireDashboard)
echo "Dashboard: http://127.0.0.1:$ui_port"
echo "Start the server exporting to it: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$otlp_port dotnet run --project src/CancelDemo.Server"
export ASPNETCORE_URLS="http://127.0.0.1:$ui_port"
export DOTNET_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$otlp_port"
export DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true
exec "${folder}Aspire.Dashboard"
