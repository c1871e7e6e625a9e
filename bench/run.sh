#!/usr/bin/env bash
# bench/run.sh: the cancellation-storm benchmark. Builds CancelDemo (Release), the probe, a bare Kestrel app
# and the seed's Gin server, starts all three side by side on loopback, and runs `probe storm` against each
# in turn, round after round (the order rotates each round), so machine noise hits all of them alike:
# N requests in flight (1, 100, 1000), all cancelled at the same moment, over HTTP/1.1, HTTP/2 over TLS and h2c.
# Then `probe storm-report` writes docs/benchmark.md. It never fails because of a number: it measures.
#
#   bench/run.sh                      5 rounds, N = 1 100 1000, CancelDemo with its defaults
#   ROUNDS=2 SIZES="100 1000" WARMUP_SECONDS=10 bench/run.sh
#   CANCELDEMO_ARGS="--ConsoleLog:Async=false" OUT=/tmp/sync.md bench/run.sh    one lever, written elsewhere
#   CANCELDEMO_ENV="DOTNET_gcServer=1" OUT=/tmp/gc.md bench/run.sh           a runtime setting for CancelDemo's process
#   CANCELDEMO_DLL=/tmp/old/.../CancelDemo.Server.dll OUT=/tmp/old.md bench/run.sh   another build of the server (before/after)
#
# Needs: the .NET SDK, Go (Debian: golang-go golang-github-gin-gonic-gin-dev). Ports 18080-18082, 18180-18182
# and 18280-18282 on 127.0.0.1 (override with CANCELDEMO_PORT, BARE_PORT, GIN_PORT: the first of three).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
: "${ROUNDS:=5}" "${SIZES:=1 100 1000}" "${PROTOCOLS:=1.1 2 h2c}" "${OUT:=$root/docs/benchmark.md}" "${CANCELDEMO_ARGS:=}" "${CANCELDEMO_ENV:=}"
: "${CANCELDEMO_DLL:=$root/src/CancelDemo.Server/bin/Release/net10.0/CancelDemo.Server.dll}"
: "${WARMUP_SECONDS:=45}"
: "${CANCELDEMO_PORT:=18080}" "${BARE_PORT:=18180}" "${GIN_PORT:=18280}"
work=$(mktemp -d "${TMPDIR:-/tmp}/canceldemo-bench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench: building (Release) in $work" >&2
dotnet build -c Release -v q src/CancelDemo.Server >/dev/null
dotnet build -c Release -v q src/CancelDemo.Probe >/dev/null
dotnet build -c Release -v q bench/BareKestrel >/dev/null
(cd bench/gin && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$work/gin-peer" .)
probe() { dotnet src/CancelDemo.Probe/bin/Release/net10.0/CancelDemo.Probe.dll "$@"; }

url() { echo "$1://127.0.0.1:$2"; }
declare -A base1 base2 baseh2c ledger pid_of
register() { # name port
  base1[$1]=$(url http "$2"); base2[$1]=$(url https "$(($2 + 1))"); baseh2c[$1]=$(url http "$(($2 + 2))"); ledger[$1]=${base1[$1]}
}
wait_listening() { # name log
  for _ in $(seq 200); do
    if curl -s -o /dev/null "${ledger[$1]}/healthz"; then return 0; fi
    sleep 0.1
  done
  echo "bench: $1 did not start: $(cat "$2")" >&2; exit 1
}

started=$SECONDS
# CancelDemo with its defaults (and whatever CANCELDEMO_ARGS adds); it makes the certificate the peers use too.
register canceldemo "$CANCELDEMO_PORT"
# shellcheck disable=SC2086
env $CANCELDEMO_ENV dotnet "$CANCELDEMO_DLL" --Tls:StateDirectory="$work/tls" \
  --Kestrel:Endpoints:Http1:Url="${base1[canceldemo]}" --Kestrel:Endpoints:Https:Url="${base2[canceldemo]}" \
  --Kestrel:Endpoints:H2c:Url="${baseh2c[canceldemo]}" $CANCELDEMO_ARGS >"$work/canceldemo.log" 2>&1 &
pid_of[canceldemo]=$!; pids+=($!); disown
wait_listening canceldemo "$work/canceldemo.log"
cert=$work/tls/localhost.pem key=$work/tls/localhost-key.pem

register bare-kestrel "$BARE_PORT"
dotnet bench/BareKestrel/bin/Release/net10.0/BareKestrel.dll --http1 "$BARE_PORT" --https $((BARE_PORT + 1)) --h2c $((BARE_PORT + 2)) \
  --cert "$cert" --key "$key" >"$work/bare-kestrel.log" 2>&1 &
pid_of[bare-kestrel]=$!; pids+=($!); disown
wait_listening bare-kestrel "$work/bare-kestrel.log"

register gin "$GIN_PORT"
"$work/gin-peer" --http1 "$GIN_PORT" --https $((GIN_PORT + 1)) --h2c $((GIN_PORT + 2)) --cert "$cert" --key "$key" >"$work/gin.log" 2>&1 &
pid_of[gin]=$!; pids+=($!); disown
wait_listening gin "$work/gin.log"

storm() { # name protocol n round json
  local base
  case $2 in 1.1) base=${base1[$1]} ;; 2) base=${base2[$1]} ;; *) base=${baseh2c[$1]} ;; esac
  probe storm --server "$1" --base "$base" --ledger "${ledger[$1]}" --protocol "$2" --concurrency "$3" --rounds 1 --round "$4" \
    --server-pid "${pid_of[$1]}" ${5:+--json "$5"} >/dev/null
}

servers=(canceldemo bare-kestrel gin)
# Warm-up: the first storms after start-up run tier-0 code (tiered JIT) and are the slowest; measure after them.
# The .NET JIT keeps promoting methods for a while: code that runs once a second (timers, Kestrel's heartbeat, the
# dead-peer watchdog) needs 30 calls, so warm-up storms go on until WARMUP_SECONDS have passed since the servers started.
echo "bench: warming up every server on every protocol (at least ${WARMUP_SECONDS}s)" >&2
warm_until=$((started + WARMUP_SECONDS))
while :; do
  for server in "${servers[@]}"; do for protocol in $PROTOCOLS; do for n in 100 1000; do storm "$server" "$protocol" "$n" 0; done; done; done
  ((SECONDS < warm_until)) || break
done

results=$work/results.jsonl
for round in $(seq "$ROUNDS"); do
  order=("${servers[@]:$((round % 3))}" "${servers[@]:0:$((round % 3))}")
  for n in $SIZES; do
    for protocol in $PROTOCOLS; do
      for server in "${order[@]}"; do
        echo "bench: round $round/$ROUNDS, $n in flight over $protocol: $server" >&2
        storm "$server" "$protocol" "$n" "$round" "$results"
      done
    done
  done
done

cat >"$work/preamble.md" <<MD
# Cancellation storm: CancelDemo, a bare Kestrel app and the seed's Gin server, side by side

Generated by \`bench/run.sh\` on $(date -u +%Y-%m-%d) (rerun it to regenerate this file): $(nproc) cores, Linux $(uname -r),
$(dotnet --version | sed 's/^/.NET SDK /'), $(go version | cut -d' ' -f3), $ROUNDS rounds of each case. CancelDemo ran with its default
configuration${CANCELDEMO_ARGS:+ plus \`$CANCELDEMO_ARGS\`}${CANCELDEMO_ENV:+ and \`$CANCELDEMO_ENV\` in its environment} (logging to a file through its console sink, the ledger, metrics,
dead-peer detection); the bare Kestrel app (\`bench/BareKestrel\`) is the seed's loop and a dictionary, no logging; the Gin
server (\`bench/gin\`) is the seed's, printing "Working... i" and Gin's request log, with the same ledger contract.

Each storm: \`probe storm\` opens N requests to \`/http1?iterations=60&stepMs=1000\` (the seed's loop), waits until every
one is running in the server's ledger, reads the server's memory (VmRSS), then cancels all of them at once on raw sockets:
HTTP/1.1 closes each connection (FIN) in a tight loop; HTTP/2 writes prebuilt RST_STREAM(CANCEL) frames, one write per
connection (as many connections as the server's SETTINGS_MAX_CONCURRENT_STREAMS needs: 100 streams each for Kestrel, 250
for Go). "noticed" is the server's own \`abortObservedAt\` (when its framework told the app: Kestrel's \`RequestAborted\`,
Go's \`ctx.Done()\`) minus the moment the client issued that request's cancel, same machine, same clock. "stopped" is the
server's \`stoppedAt - abortObservedAt\`. "p99 per round" is the lowest and highest round's p99: the noise between runs.
"client skew" is the time the client itself took from its first cancel to its last; it is part of every "noticed".
KB per request is (RSS in flight - RSS idle) / N, the median over the rounds. "server CPU µs per abort" is the CPU time
of all the server's threads (Linux schedstat) in the 500 ms after the last cancel, before the ledger is read, divided by
N, the median over the rounds.

The servers run side by side and the order rotates every round. Warm-up storms come first (100 and 1000 in flight per
server and protocol, repeated until the servers have run for $WARMUP_SECONDS s), so that the .NET servers run their final JIT
tier: code that runs once a second reaches its 30 calls only after half a minute, and rejitting during a round costs CPU.
MD
probe storm-report "$results" --preamble "$work/preamble.md" --markdown "$OUT"
echo "bench: wrote $OUT" >&2
