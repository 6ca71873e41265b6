#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it with
# executable_path=/usr/bin/chromium; no browser download from elsewhere is possible here).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] \
   && [ -d /usr/share/fonts/opentype/noto ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo > /dev/null; then
  run=(sudo)
else
  echo "install_browser: /usr/bin/chromium is missing and neither root nor sudo is available;" \
       "install Debian's chromium package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-noto-color-emoji > /dev/null
/usr/bin/chromium --version 2> /dev/null
