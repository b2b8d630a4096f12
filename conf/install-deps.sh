#!/usr/bin/env bash
# Installs what kaigi needs on Debian 12: build tools and libraries, the GStreamer plugins
# the server runs, Node.js and the npm packages in package-lock.json (hls.js for the public
# page; the tests' playwright-core), and (with --tests) what the tests use: Chromium, flite, sox,
# ffmpeg (ffprobe)... Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi

pkgs=(meson ninja-build pkg-config gcc
      libglib2.0-dev libjson-glib-dev libsqlite3-dev
      libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
      gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
      gstreamer1.0-nice gstreamer1.0-tools
      libwebsockets-dev libwebsockets-evlib-glib libssl-dev libsrtp2-dev libopus-dev libvpx-dev
      libsodium-dev zlib1g-dev
      gstreamer1.0-x fonts-ipafont-gothic  # the public program's captions (pango) in Japanese
      poppler-utils                        # pdftoppm: a PDF material's page on the broadcast
      libpocketsphinx-dev pocketsphinx-en-us)  # speech recognition, the embedded default
# The public page plays HLS with hls.js, an npm package served from client-web/vendor/.
command -v node >/dev/null || pkgs+=(nodejs npm)
if [ "${1:-}" = "--tests" ]; then
  pkgs+=(chromium flite sox clang-format openssl coturn sqlite3 systemd unzip libxml2-utils ffmpeg
        nginx icecast2 pocketsphinx sctk  # pocketsphinx_continuous, sclite (the WER bench)
        libsoup-3.0-dev)  # the media bench's load generator (optional in meson)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p client-web/vendor
  cp node_modules/hls.js/dist/hls.min.js client-web/vendor/hls.min.js
  cp node_modules/hls.js/LICENSE client-web/vendor/hls.js.LICENSE
fi
