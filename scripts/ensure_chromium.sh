#!/usr/bin/env bash
# The browser test drives Debian's Chromium (Playwright never downloads its own browser here).
# Installs it with apt-get when it is missing and this user may do so; otherwise says how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing and apt-get is not available: install Chromium yourself;" \
        "the browser test will fail until then." >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (the browser test needs it)." >&2
    exit 0
fi
echo "Installing Chromium with apt-get (for the browser test) ..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
