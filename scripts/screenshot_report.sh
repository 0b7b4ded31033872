#!/usr/bin/env bash
# Screenshot an HTML page (e.g. an `align evaluate --report DIR` index.html) with headless Chromium.
# Usage: scripts/screenshot_report.sh PAGE.html OUT.png [WIDTHxHEIGHT]   (default 1280x2400)
# Needs Chromium (Debian: apt-get install -y chromium). Used to check the report in a real browser.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 PAGE.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
page=$1
out=$2
size=${3:-1280x2400}
if [ ! -f "$page" ]; then
    echo "error: $page: no such file; write a report with \`align evaluate DATASET --system ... --report DIR\`" >&2
    exit 1
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "error: Chromium not found; install it with \`apt-get install -y chromium\`" >&2
    exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(realpath "$page")"
out_abs="$(realpath -m "$out")"
# A fresh profile and no background traffic: the page is local and the run must be reproducible.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" --window-size="${size/x/,}" \
    --screenshot="$out_abs" "$url" >/dev/null 2>&1
if [ ! -s "$out_abs" ]; then
    echo "error: Chromium wrote no screenshot for $page" >&2
    exit 1
fi
echo "$out_abs"
