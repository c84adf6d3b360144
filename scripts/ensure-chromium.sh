#!/bin/bash
# The HTML report's browser test (test/render/html-browser.test.ts) drives a real headless
# Chromium: Debian's `chromium` package. Installs it when missing (as root with apt-get);
# prints where it is. CHROMIUM_PATH overrides.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
	if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
	echo /usr/bin/chromium
	exit 0
fi
echo "ensure-chromium: no chromium, and cannot install it (needs root and apt-get); the browser test will be skipped" >&2
exit 1
