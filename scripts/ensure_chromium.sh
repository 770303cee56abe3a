#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when it is missing (needs root and apt).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "make test: the browser tests need Chromium at /usr/bin/chromium. Install Debian's 'chromium' package." >&2
  exit 2
fi
echo "Installing Chromium for the browser tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
