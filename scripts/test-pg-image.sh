#!/usr/bin/env bash
# Builds hush-test/postgres:TAG, a PostgreSQL server image for the secret-file tests, from the host's
# Debian postgresql-15 (server binaries, their libraries, share files) and static busybox with
# `docker import`: nothing is pulled. TAG hashes this script and the package version, so the image
# is built once per change. Prints the image name.
set -euo pipefail
PG=/usr/lib/postgresql/15
version="$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null)" || {
  echo "test-pg-image: cannot build: postgresql-15 is not installed; apt-get install postgresql" >&2; exit 1; }
tag="$( (cat "$0"; echo "$version") | sha256sum | cut -c1-12)"
IMAGE="hush-test/postgres:$tag"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi

busybox=
for candidate in /bin/busybox /usr/bin/busybox; do
  if "$candidate" true 2>/dev/null; then busybox=$candidate; break; fi
done
[ -n "$busybox" ] || { echo "test-pg-image: no static busybox; apt-get install busybox-static" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/run/secrets"
mkdir -m 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat ls id env sleep; do ln -s busybox "$root/bin/$applet"; done
printf 'root:x:0:0::/root:/bin/sh\npostgres:x:999:999::/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' >"$root/etc/group"

# The server, initdb, the modules initdb loads (no JIT), the share files and time zones.
modules=()
for module in "$PG"/lib/*.so; do
  case "$(basename "$module")" in llvmjit*) ;; *) modules+=("$module") ;; esac
done
cp --parents "$PG/bin/postgres" "$PG/bin/initdb" "$PG/bin/pg_ctl" "${modules[@]}" "$root"
cp -r --parents /usr/share/postgresql/15 /usr/share/zoneinfo "$root"
# Every shared library they need, the dynamic loader included, at its own path.
for lib in $(ldd "$PG/bin/postgres" "$PG/bin/initdb" "${modules[@]}" 2>/dev/null |
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u); do
  cp -L --parents "$lib" "$root"
done
tar -C "$root" -c . | docker import --change "ENV PATH=$PG/bin:/bin" - "$IMAGE" >/dev/null
echo "$IMAGE"
