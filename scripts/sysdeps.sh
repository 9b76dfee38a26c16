#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Freelancer Desk needs, only those missing.
# As root it runs apt-get; otherwise it prints the one apt line to run and fails.
# Usage: scripts/sysdeps.sh run|test
set -eu
purpose=${1:-run}

# Qt's runtime libraries (PySide6 wheels) and the xcb platform plugin.
pkgs="libgl1 libegl1 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 libdbus-1-3
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 fonts-dejavu-core"
if [ "$purpose" = test ]; then
  # A real X server and input for the tracker and screen tests.
  pkgs="$pkgs xvfb xauth xdotool x11-utils"
fi

# python3 -m venv needs ensurepip, which Debian ships separately.
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "error: $py not found; install Python 3.11 or newer (apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11 or newer is needed; $py is $("$py" -V 2>&1)" >&2
  exit 1
fi
if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  pyver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  pkgs="$pkgs python${pyver}-venv"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian/Ubuntu system; make sure these are installed: $(echo $pkgs)" >&2
  exit 0
fi

missing=""
for p in $pkgs; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "Freelancer Desk needs these system packages. Run:" >&2
  echo "" >&2
  echo "    sudo apt-get install -y --no-install-recommends$missing" >&2
  echo "" >&2
  echo "then run make again." >&2
  exit 1
fi
