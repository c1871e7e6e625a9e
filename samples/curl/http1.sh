#!/usr/bin/env bash
# The seed's first experiment: curl over HTTP/1.1, Ctrl-C after ~2 s (default).
# Watch the server log: Working... 0, then Client has disconnected. Stopping task. 1 (the interrupt at 2 s lands
# just before step 1 ends, which is 2 s after the request arrived).
set -euo pipefail
here=$(dirname "$0")
base=${CANCELDEMO_HTTP1:-http://localhost:8080}
exec "$here/interrupt.sh" "${1:-2}" curl -sS -H "X-Request-Id: curl-http1-$$" "$base/http1"
