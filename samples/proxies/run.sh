#!/usr/bin/env bash
# run.sh PROXY: renders PROXY's config (see render.sh for the settings) and runs the proxy in the
# foreground, logging each request's X-Request-Id and status to $OUT/access.log. Ctrl-C stops it.
#   samples/proxies/run.sh nginx        (or haproxy, caddy, h2o, yarp) then: curl --http2 --cacert ~/.local/share/CancelDemo/localhost.pem https://localhost:8443/http1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proxy=${1:?usage: run.sh nginx|haproxy|caddy|h2o|yarp}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/canceldemo-$proxy.XXXXXX")}
if [[ $proxy == yarp ]]; then
  # YARP is a .NET program (samples/proxies/yarp, configured by its appsettings.json): the settings render.sh takes
  # become its environment; the upstream addresses override the clusters' destinations.
  state=${CANCELDEMO_STATE:-${XDG_DATA_HOME:-$HOME/.local/share}/CancelDemo}
  export PROXY_PORT=${PROXY_PORT:-8443} CERT=${CERT:-$state/localhost.pem} KEY=${KEY:-$state/localhost-key.pem} OUT=$out
  export ReverseProxy__Clusters__http1__Destinations__server__Address="http://${HTTP1:-127.0.0.1:8080}"
  export ReverseProxy__Clusters__idle__Destinations__server__Address="http://${HTTP1:-127.0.0.1:8080}"
  export ReverseProxy__Clusters__https__Destinations__server__Address="https://${HTTPS:-127.0.0.1:8081}"
  export ReverseProxy__Clusters__h2c__Destinations__server__Address="http://${H2C:-127.0.0.1:8082}"
  dll=$here/yarp/bin/Debug/net10.0/CancelDemo.Yarp.dll
  [[ -f $dll ]] || dotnet build "$here/yarp" -v q >/dev/null
  echo "run.sh: yarp on https://localhost:$PROXY_PORT (logs in $out)" >&2
  exec dotnet "$dll" --contentRoot "$(dirname "$dll")" >"$out/yarp.log" 2>&1
fi
config=$("$here/render.sh" "$proxy" "$out")
echo "run.sh: $proxy on https://localhost:${PROXY_PORT:-8443} (config $config, logs in $out)" >&2
case $proxy in
  nginx) exec nginx -p "$out" -e "$out/error.log" -c "$config" -g 'daemon off;' ;;
  haproxy) exec haproxy -f "$config" -db >"$out/access.log" ;;
  caddy) XDG_DATA_HOME=$out XDG_CONFIG_HOME=$out exec caddy run --config "$config" --adapter caddyfile ;;
  h2o) exec h2o -c "$config" ;;
esac
