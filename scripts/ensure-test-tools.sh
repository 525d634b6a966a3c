#!/usr/bin/env bash
# Tools the test suite needs beyond npm packages: Debian's tshark (the pcap
# tests read captures back with it). Installs it when missing and allowed
# (root with apt-get, as on CI and the project's machines); otherwise says how.
set -euo pipefail
if command -v tshark >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "# installing Debian package tshark (the pcap tests read captures with it)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark) >/dev/null
  exit 0
fi
echo "netsim tests need tshark: run 'sudo apt-get install -y tshark' (Debian/Ubuntu) and retry" >&2
exit 1
