#!/usr/bin/env bash
# Checks and unit-tests the Prometheus rules: `promtool check rules` then `promtool test rules`.
# Installs promtool from the Debian package `prometheus` when it is missing (needs root, non-interactive).
# Usage: scripts/promtool-test.sh   (from any directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rules_dir="$root/deploy/prometheus"

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found; installing the Debian package 'prometheus'" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "promtool is missing and this user cannot install packages (not root, no sudo)" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

promtool --version 2>&1 | head -n 1
promtool check rules "$rules_dir/rules.yml"
# Test files name their rule files relative to themselves.
(cd "$rules_dir" && promtool test rules rules.test.yml)
