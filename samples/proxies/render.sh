#!/usr/bin/env bash
# render.sh PROXY OUT_DIR: fills samples/proxies/<PROXY's config> from the environment into OUT_DIR.
# Defaults are the server's own: listeners on 127.0.0.1:8080/8081/8082 and its generated certificate.
#
#   PROXY_PORT                 where the proxy listens (HTTPS)             default 8443
#   HTTP1, HTTPS, H2C          the server's listeners (host:port)          127.0.0.1:8080, :8081, :8082
#   CERT, KEY                  certificate and key (PEM)                   the server's localhost.pem, localhost-key.pem
#   NGINX_IGNORE_CLIENT_ABORT  nginx proxy_ignore_client_abort: off | on   off
#   HAPROXY_ABORTONCLOSE       HAProxy option abortonclose: off | on       off
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proxy=${1:?usage: render.sh nginx|haproxy|caddy|h2o OUT_DIR}
out=${2:?usage: render.sh PROXY OUT_DIR}
case $proxy in
  nginx) template=nginx.conf ;;
  haproxy) template=haproxy.cfg ;;
  caddy) template=Caddyfile ;;
  h2o) template=h2o.conf ;;
  *) echo "render.sh: unknown proxy '$proxy' (nginx, haproxy, caddy, h2o)" >&2; exit 2 ;;
esac

state=${CANCELDEMO_STATE:-${XDG_DATA_HOME:-$HOME/.local/share}/CancelDemo}
: "${PROXY_PORT:=8443}" "${HTTP1:=127.0.0.1:8080}" "${HTTPS:=127.0.0.1:8081}" "${H2C:=127.0.0.1:8082}"
: "${CERT:=$state/localhost.pem}" "${KEY:=$state/localhost-key.pem}"
: "${NGINX_IGNORE_CLIENT_ABORT:=off}" "${HAPROXY_ABORTONCLOSE:=off}"
for file in "$CERT" "$KEY"; do
  [[ -r $file ]] || { echo "render.sh: cannot read $file; start the server once to create it, or set CERT and KEY." >&2; exit 1; }
done
case $NGINX_IGNORE_CLIENT_ABORT in on | off) ;; *) echo "render.sh: NGINX_IGNORE_CLIENT_ABORT must be on or off" >&2; exit 2 ;; esac
case $HAPROXY_ABORTONCLOSE in
  on) abortonclose="option abortonclose" ;;
  off) abortonclose="no option abortonclose" ;;
  *) echo "render.sh: HAPROXY_ABORTONCLOSE must be on or off" >&2; exit 2 ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
# HAProxy wants certificate and key in one file.
(umask 077 && cat "$CERT" "$KEY" > "$out/bundle.pem")
sed -e "s|{{PROXY_PORT}}|$PROXY_PORT|g" -e "s|{{HTTP1}}|$HTTP1|g" -e "s|{{HTTPS}}|$HTTPS|g" -e "s|{{H2C}}|$H2C|g" \
    -e "s|{{CERT}}|$CERT|g" -e "s|{{KEY}}|$KEY|g" -e "s|{{BUNDLE}}|$out/bundle.pem|g" -e "s|{{WORK}}|$out|g" \
    -e "s|{{USER}}|$(id -un)|g" -e "s|{{NGINX_IGNORE_CLIENT_ABORT}}|$NGINX_IGNORE_CLIENT_ABORT|g" \
    -e "s|{{HAPROXY_ABORTONCLOSE}}|$abortonclose|g" "$here/$template" > "$out/$template"
echo "$out/$template"
