#!/usr/bin/env bash
# Installs, from Debian's packages, every system tool the test suite and the
# benchmarks need on a fresh Debian machine (run as root). Idempotent: a
# package already present is left alone, so a second run is quick.
#
#   xvfb               the X server the desktop tests capture and inject into
#   x11-xserver-utils  xrandr, which @nut-tree-fork/nut-js needs on Linux
#   libxtst6 libxinerama1 libpng16-16  native libraries nut-js loads
#   xdotool x11-utils  observe windows and the pointer from tests (xwininfo)
#   imagemagick        `import`: an independent screenshot to compare against
#   chromium           the pages are tested in real Chromium (playwright-core)
#   fonts-dejavu-core  so pages and test windows render text
#   openssl            makes a throw-away certificate for the TLS test
#   zip unzip          the Windows package is a zip (npm run package:win), unpacked by its test
#   wine wine64        runs the Windows package in its smoke test (test/wine/)
#   gcc-mingw-w64-x86-64-win32  builds the test's stand-in bcryptprimitives.dll, which Wine 8 lacks
#   xclip              pastes and copies as a customer's program would (the clipboard and Wine tests)
#   osslsigncode       strips node.exe's signature the injected program breaks (and signs, README)
#   tigervnc-scraping-server  x0vncserver: the VNC server the glass benchmark measures against
#   novnc              noVNC's own viewer page, the anchor's technician side in the glass benchmark
#   python3-websockify websockify: bridges noVNC's WebSocket to x0vncserver's RFB port
#   ffmpeg             ffprobe: checks that a session recording is a playable WebM
#   postgresql         a real PostgreSQL server for the database tests (started by the tests, on a socket)
#   redis-server       the shared store of several relay nodes (cluster tests, started by the tests on loopback)
#   haproxy            the real load balancer in front of the cluster tests' relay nodes
set -euo pipefail

PACKAGES=(xvfb x11-xserver-utils libxtst6 libxinerama1 libpng16-16 xdotool x11-utils
  imagemagick chromium fonts-dejavu-core openssl ca-certificates
  zip unzip wine wine64 gcc-mingw-w64-x86-64-win32 xclip osslsigncode
  tigervnc-scraping-server novnc python3-websockify ffmpeg postgresql redis-server haproxy)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all system packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
