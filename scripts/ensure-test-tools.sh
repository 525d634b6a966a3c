#!/usr/bin/env bash
# Tools the test suite needs beyond npm packages, from Debian's packages:
# tshark (the pcap tests read captures back with it), chromium (the
# visualizer's browser tests drive it with playwright-core; never a
# downloaded browser) and redis-server (the queue sweep tests start their
# own on a free local port; the package's system service is not used).
# Installs what is missing when allowed (root with apt-get, as on CI and
# the project's machines); otherwise says how.
set -euo pipefail
missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "# installing Debian packages: ${missing[*]} (the pcap, browser and queue tests use them)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
  exit 0
fi
echo "netsim tests need: ${missing[*]}; run 'sudo apt-get install -y ${missing[*]}' (Debian/Ubuntu) and retry" >&2
exit 1
