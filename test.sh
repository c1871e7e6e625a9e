#!/usr/bin/env bash
# The whole test suite, installing what it needs:
#   1. the system tools the tests drive for real (curl, Chromium, Firefox, proxies, iptables, PostgreSQL,
#      pgbouncer, strace, Node, Python's httpx/h2/aiohttp), when missing, and the Firefox driver's npm package;
#   2. every test project in CancelDemo.sln;
#   3. a plain "N passed, N failed, N skipped" line. Under CI (CI=true) any skipped test fails the run,
#      so nothing is silently untested.
set -euo pipefail
cd "$(dirname "$0")"

# command on PATH -> Debian package that provides it
declare -A tools=(
  [curl]=curl
  [chromium]=chromium
  [nginx]=nginx-light
  [haproxy]=haproxy
  [caddy]=caddy
  [h2o]=h2o
  [iptables]=iptables
  [pgbouncer]=pgbouncer
  [strace]=strace
  [ss]=iproute2
  [firefox-esr]=firefox-esr
  [node]=nodejs
  [npm]=npm
)

missing=()
for command in "${!tools[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${tools[$command]}")
done
# PostgreSQL's server programs live in /usr/lib/postgresql/N/bin, not on PATH.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
# The client samples run with Debian's own python3 and its packages.
for module in httpx h2 aiohttp; do
  /usr/bin/python3 -c "import $module" >/dev/null 2>&1 || missing+=("python3-$module")
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    # Installing nginx or h2o must not start a daemon on port 80: deny service starts while installing.
    policy=/usr/sbin/policy-rc.d
    added_policy=false
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=true
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if $added_policy; then rm -f "$policy"; fi
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: not root and no sudo; tests needing ${missing[*]} will be skipped (apt-get install -y ${missing[*]})"
  fi
fi

# The Firefox driver's one npm package, from its lock file; it must never download a browser (Debian's is used).
if command -v npm >/dev/null 2>&1 && [[ ! -d tests/firefox/node_modules/puppeteer-core ]]; then
  echo "test.sh: installing the Firefox driver's packages (npm ci in tests/firefox)"
  (cd tests/firefox && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test CancelDemo.sln --results-directory "$results" --logger "trx" \
  --blame-hang --blame-hang-timeout 5m "$@" || status=$?

# Count every test of every project from the TRX files.
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        o = r.get("outcome")
        if o == "Passed": p += 1
        elif o == "NotExecuted":
            s += 1
            print(f"SKIPPED {r.get('testName')}", file=sys.stderr)
        else: f += 1
print(p, f, s)
PY
)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ ${CI:-} == true && $skipped -gt 0 ]]; then
  echo "test.sh: ${skipped} test(s) skipped under CI; every test must run here." >&2
  status=1
fi
if [[ $status -eq 0 && $passed -eq 0 ]]; then
  echo "test.sh: no test ran." >&2
  status=1
fi
exit "$status"
