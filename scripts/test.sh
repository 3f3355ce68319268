#!/usr/bin/env bash
# Runs every test against the real parts: a private D-Bus session with an unlocked gnome-keyring
# (so keytar talks to a real Secret Service) and the local Docker engine. Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HUSH_TEST_SESSION:-}" ]; then
  for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
    command -v "$tool" >/dev/null || {
      echo "test: $tool is missing: apt-get install dbus gnome-keyring libsecret-tools (or run bash .ci/run)" >&2
      exit 1
    }
  done
  export HUSH_TEST_SESSION=1
  # A fresh keyring directory: a login keyring left by an earlier run would stay locked.
  XDG_DATA_HOME="$(mktemp -d)"
  export XDG_DATA_HOME
  exec dbus-run-session -- "$0" "$@"
fi

eval "$(printf %s "hush-test-$$" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
npm run --silent build
exec npx vitest run "$@"
