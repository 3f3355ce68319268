#!/usr/bin/env bash
# Runs every test against the real parts: a private D-Bus session with an unlocked gnome-keyring
# (scripts/with-keyring.sh, so @napi-rs/keyring talks to a real Secret Service) and the local Docker engine.
# Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HUSH_KEYRING_SESSION:-}" ]; then
  exec bash scripts/with-keyring.sh bash scripts/test.sh "$@"
fi

npm run --silent build
exec npx vitest run "$@"
