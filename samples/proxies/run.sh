#!/usr/bin/env bash
# run.sh PROXY: renders PROXY's config (see render.sh for the settings) and runs the proxy in the
# foreground, logging each request's X-Request-Id and status to $OUT/access.log. Ctrl-C stops it.
#   samples/proxies/run.sh nginx        then: curl --http2 --cacert ~/.local/share/CancelDemo/localhost.pem https://localhost:8443/http1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proxy=${1:?usage: run.sh nginx|haproxy|caddy|h2o}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/canceldemo-$proxy.XXXXXX")}
config=$("$here/render.sh" "$proxy" "$out")
echo "run.sh: $proxy on https://localhost:${PROXY_PORT:-8443} (config $config, logs in $out)" >&2
case $proxy in
  nginx) exec nginx -p "$out" -e "$out/error.log" -c "$config" -g 'daemon off;' ;;
  haproxy) exec haproxy -f "$config" -db >"$out/access.log" ;;
  caddy) XDG_DATA_HOME=$out XDG_CONFIG_HOME=$out exec caddy run --config "$config" --adapter caddyfile ;;
  h2o) exec h2o -c "$config" ;;
esac
