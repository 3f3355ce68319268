#!/usr/bin/env bash
# Builds the image the tests and benchmarks launch, hush-test/busybox, from the host's static busybox
# (Debian's busybox-static) with `docker import`: nothing is pulled. Does nothing when the engine has it.
set -euo pipefail
IMAGE=hush-test/busybox
APPLETS=(sh env cat sha256sum sleep echo ls true wc head tr od)

docker image inspect "$IMAGE" >/dev/null 2>&1 && exit 0
busybox=
for candidate in /bin/busybox /usr/bin/busybox; do
  if "$candidate" true 2>/dev/null; then busybox=$candidate; break; fi
done
[ -n "$busybox" ] || { echo "test-image: cannot build $IMAGE: no static busybox; apt-get install busybox-static" >&2; exit 1; }
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir "$root/bin"
mkdir -m 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in "${APPLETS[@]}"; do ln -s busybox "$root/bin/$applet"; done
tar -C "$root" -c . | docker import - "$IMAGE" >/dev/null
