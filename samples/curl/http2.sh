#!/usr/bin/env bash
# curl over HTTP/2 with TLS, trusting exactly the server's exported certificate (no --insecure).
# Ctrl-C after ~5 s (default); curl closes the connection (no RST_STREAM: the ledger says FIN) and the server
# stops in step 4: Working... 0 to 3, then Client has disconnected. Stopping task. 4.
set -euo pipefail
here=$(dirname "$0")
base=${CANCELDEMO_HTTPS:-https://localhost:8081}
pem=${CANCELDEMO_PEM:-${XDG_DATA_HOME:-$HOME/.local/share}/CancelDemo/localhost.pem}
[[ -f $pem ]] || { echo "No certificate at $pem: start the server once (it prints the path), or set CANCELDEMO_PEM." >&2; exit 1; }
exec "$here/interrupt.sh" "${1:-5}" curl -sS --http2 --cacert "$pem" -H "X-Request-Id: curl-http2-$$" "$base/http2"
