#!/usr/bin/env bash
# curl over cleartext HTTP/2 with prior knowledge (h2c), Ctrl-C after ~5 s (default); as over TLS, curl closes the
# connection (FIN) and the server stops in step 4.
set -euo pipefail
here=$(dirname "$0")
base=${CANCELDEMO_H2C:-http://localhost:8082}
exec "$here/interrupt.sh" "${1:-5}" curl -sS --http2-prior-knowledge -H "X-Request-Id: curl-h2c-$$" "$base/http2"
