#!/usr/bin/env bash
# interrupt.sh SECONDS COMMAND...: runs COMMAND, then after SECONDS sends it SIGINT, exactly like a
# person pressing Ctrl-C, and checks that it died of that signal (exit status 130).
#
# A background process started from a non-interactive shell inherits SIGINT as *ignored*, and a shell
# cannot un-ignore it (not even with trap). `env --default-signal=INT` (GNU coreutils 8.31+) restores
# the default action, so the interrupt really lands.
set -uo pipefail
seconds=${1:?usage: interrupt.sh SECONDS COMMAND...}
shift
env --default-signal=INT "$@" &
pid=$!
sleep "$seconds"
kill -INT "$pid" 2>/dev/null
wait "$pid"
status=$?
if [[ $status -eq 130 ]]; then
  echo "^C after ${seconds}s: $1 died of SIGINT (exit 130)" >&2
  exit 0
fi
echo "$1 did not die of SIGINT (exit $status); did it finish before ${seconds}s?" >&2
exit 1
