#!/usr/bin/env bash
# bench/audit/run.sh: what the CancelDemo.AspNetCore package costs a plain endpoint. Builds bench/AuditOverhead
# (Release), starts it twice side by side on loopback, without and with the audit's two lines, and loads /plain with
# wrk (ROUNDS rounds of SECONDS s each, alternating), reading the process's allocated bytes before and after each load.
# Writes the section "What the package costs" of docs/audit.md (the rest of that file is ShopApiAuditTests').
#
#   bench/audit/run.sh                     3 rounds of 10 s, 2 threads and 32 connections
#   ROUNDS=5 SECONDS_PER_ROUND=20 bench/audit/run.sh
#
# Needs: the .NET SDK, wrk (Debian: apt-get install -y wrk). Ports 18480 and 18481 on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ROUNDS:=3}" "${SECONDS_PER_ROUND:=10}" "${CONNECTIONS:=32}" "${OUT:=docs/audit.md}"
command -v wrk >/dev/null || { echo "bench/audit/run.sh: wrk not found (apt-get install -y wrk)" >&2; exit 1; }
dotnet build -c Release -v q bench/AuditOverhead >/dev/null
dll=bench/AuditOverhead/bin/Release/net10.0/AuditOverhead.dll
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done' EXIT
declare -A port=([plain]=18480 [audited]=18481)
dotnet "$dll" --urls "http://127.0.0.1:${port[plain]}" >/dev/null 2>&1 & pids+=($!)
dotnet "$dll" --audit --urls "http://127.0.0.1:${port[audited]}" >/dev/null 2>&1 & pids+=($!)
for name in plain audited; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/plain" && break; sleep 0.1; done
  wrk -t2 -c"$CONNECTIONS" -d5s "http://127.0.0.1:${port[$name]}/plain" >/dev/null # warm-up: the JIT's final tier
done
results=$(mktemp)
for round in $(seq "$ROUNDS"); do
  for name in plain audited; do
    base="http://127.0.0.1:${port[$name]}"
    before=$(curl -s "$base/allocated")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_ROUND}s" --latency "$base/plain")
    after=$(curl -s "$base/allocated")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    perRequest=$(python3 -c "print(f'{($after - $before) / $requests:.1f}')")
    echo "$round $name $rps $p50 $p99 $perRequest" >>"$results"
    echo "bench/audit: round $round, $name: $rps requests/s, p99 $p99, $perRequest bytes/request" >&2
  done
done
python3 - "$results" "$OUT" "$ROUNDS" "$SECONDS_PER_ROUND" "$CONNECTIONS" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
out, rounds, seconds, connections = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
by = {n: [r for r in rows if r[1] == n] for n in ("plain", "audited")}
med = lambda n, i: statistics.median(float(r[i]) for r in by[n])
lines = ["## What the package costs", "",
    f"Measured by `bench/audit/run.sh` (rerun it to regenerate this section): `bench/AuditOverhead`, a plain `GET /plain`",
    f"returning \"ok\", without and with `AddCancellationAudit()` and `MapCancellationAudit()`, side by side on loopback; wrk",
    f"with 2 threads and {connections} connections, {rounds} rounds of {seconds} s each, alternating. Bytes per request: what the",
    "process allocated during a round divided by the requests served. Every request of the audited app is recorded in",
    "the ledger (the default), on a machine of 2 cores that also runs wrk.", "",
    "| app | round | requests/s | p50 | p99 | bytes allocated per request |", "|---|---|---|---|---|---|"]
for r in rows:
    lines.append(f"| {'with the audit' if r[1] == 'audited' else 'without'} | {r[0]} | {float(r[2]):,.0f} | {r[3]} | {r[4]} | {r[5]} |")
lines += ["", f"Medians: {med('audited', 2) / med('plain', 2):.2f}× the requests per second, "
    f"+{med('audited', 5) - med('plain', 5):,.1f} bytes per request ({med('plain', 5):,.1f} without, {med('audited', 5):,.1f} with).", ""]
text = open(out).read() if __import__("os").path.exists(out) else ""
start = text.find("## What the package costs")
head = text[:start] if start >= 0 else text + ("\n" if text else "")
open(out, "w").write(head + "\n".join(lines) + "\n")
PY
echo "bench/audit: wrote the overhead section of $OUT" >&2
