#!/usr/bin/env bash
# test-install.sh BUILD_DIR: `meson install --destdir` puts every file where Debian expects it,
# the installed kaigi-server defaults to the installed client-web (the build tree's binary to
# the source tree's), and systemd-analyze accepts the unit.
set -euo pipefail
build=$1
dest=$(mktemp -d /tmp/kaigi-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
opt() { meson introspect "$build" --buildoptions | python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name']=='$1'))"; }
prefix=$(opt prefix)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
bindir=$(abs "$(opt bindir)")
datadir=$(abs "$(opt datadir)")
sysconfdir=$(abs "$(opt sysconfdir)")
unit=$(find "$dest" -name kaigi-server.service -path '*systemd/system*' | head -1)

fail=0
expect() {
  if [ -e "$dest$1" ]; then echo "ok: $1"; else echo "MISSING: $1"; fail=1; fi
}
expect "$bindir/kaigi-server"
expect "$bindir/kaigi-backup"
expect "$datadir/kaigi/client-web/index.html"
expect "$datadir/kaigi/client-web/js/meeting.js"
expect "$sysconfdir/kaigi/kaigi.conf"
expect "$datadir/doc/kaigi/nginx-kaigi.conf"
expect "$datadir/doc/kaigi/turnserver.conf"
expect "$datadir/doc/kaigi/operations.md"
if [ -n "$unit" ]; then echo "ok: unit at ${unit#"$dest"}"; else echo "MISSING: systemd unit"; fail=1; fi

# Where each binary looks for client-web by default.
"$dest$bindir/kaigi-server" --help | grep -qF "(default $datadir/kaigi/client-web)" \
  && echo "ok: installed kaigi-server serves $datadir/kaigi/client-web" \
  || { echo "WRONG: installed kaigi-server's default web root"; fail=1; }
"$build/server/kaigi-server" --help | grep -qF "/client-web)" \
  && ! "$build/server/kaigi-server" --help | grep -qF "(default $datadir/kaigi/client-web)" \
  && echo "ok: the build tree's kaigi-server serves the source tree's client-web" \
  || { echo "WRONG: build-tree kaigi-server's default web root"; fail=1; }

# The unit, with ExecStart pointed into the destdir (the binary must exist for verify).
if [ -n "$unit" ] && command -v systemd-analyze >/dev/null; then
  grep -q "^ExecStart=$bindir/kaigi-server --config $sysconfdir/kaigi/kaigi.conf" "$unit" \
    || { echo "WRONG: ExecStart in the unit"; fail=1; }
  sed "s|^ExecStart=$bindir|ExecStart=$dest$bindir|" "$unit" > "$dest/kaigi-server.service"
  if out=$(systemd-analyze verify "$dest/kaigi-server.service" 2>&1) && [ -z "$out" ]; then
    echo "ok: systemd-analyze verify"
  else
    echo "systemd-analyze verify: $out"; fail=1
  fi
fi
exit $fail
