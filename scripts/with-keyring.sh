#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring, so @napi-rs/keyring (and
# secret-tool) talk to a real Secret Service. Used by `npm test` and `npm run bench`.
# Usage: bash scripts/with-keyring.sh COMMAND [ARG ...]
set -euo pipefail

if [ -z "${HUSH_KEYRING_SESSION:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
    command -v "$tool" >/dev/null || {
      echo "with-keyring: $tool is missing: apt-get install dbus gnome-keyring libsecret-tools (or run bash .ci/run)" >&2
      exit 1
    }
  done
  export HUSH_KEYRING_SESSION=1
  # A fresh keyring directory: a login keyring left by an earlier run would stay locked.
  XDG_DATA_HOME="$(mktemp -d)"
  export XDG_DATA_HOME
  status=0
  dbus-run-session -- bash "$0" "$@" || status=$?
  rm -rf "$XDG_DATA_HOME"
  exit "$status"
fi

eval "$(printf %s "hush-keyring-$$" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
