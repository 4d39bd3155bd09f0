#!/bin/bash
# Build an offline wheelhouse (the app's wheel + every dependency wheel) on the controller, so that target
# hosts install with `pip install --no-index --find-links`. Rebuilds only when the fingerprint of the source
# files changes (content hash of the listed paths, stored in the wheelhouse as .source-fingerprint).
# Usage: build-wheelhouse.sh --python PY --source DIR --dest DIR [--check] [--pip-arg=ARG]... -- PATH...
# Prints one JSON object: {"changed": bool, "fingerprint": "...", "dest": "...", "wheels": N}
set -euo pipefail
PY=python3; SRC=; DEST=; CHECK=0; PIPARGS=(); PATHS=()
while (($#)); do
  case $1 in
    --python) PY=$2; shift 2 ;;
    --source) SRC=$2; shift 2 ;;
    --dest) DEST=$2; shift 2 ;;
    --check) CHECK=1; shift ;;
    --pip-arg=*) PIPARGS+=("${1#--pip-arg=}"); shift ;;
    --) shift; PATHS=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$SRC" ] && [ -n "$DEST" ] && ((${#PATHS[@]})) || { echo "usage: see header" >&2; exit 2; }
[ -f "$SRC/pyproject.toml" ] || [ -f "$SRC/setup.py" ] || { echo "$SRC: no pyproject.toml/setup.py" >&2; exit 2; }
cd "$SRC"
# fingerprint: python minor version + sorted content hashes of the listed paths (caches and builds excluded)
fp=$( {
  "$PY" -c 'import sys, platform; print(sys.version_info[:2], platform.machine())'
  for p in "${PATHS[@]}"; do
    [ -e "$p" ] || continue
    find "$p" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*.egg-info/*' -print0
  done | LC_ALL=C sort -z | xargs -0 -r sha256sum
} | sha256sum | cut -c1-16)
count() { find "$DEST" -maxdepth 1 -name '*.whl' 2>/dev/null | wc -l; }
if [ -f "$DEST/.source-fingerprint" ] && [ "$(cat "$DEST/.source-fingerprint")" = "$fp" ] && [ "$(count)" -gt 0 ]; then
  printf '{"changed": false, "fingerprint": "%s", "dest": "%s", "wheels": %d}\n' "$fp" "$DEST" "$(count)"; exit 0
fi
if [ "$CHECK" = 1 ]; then
  printf '{"changed": true, "fingerprint": "%s", "dest": "%s", "wheels": %d}\n' "$fp" "$DEST" "$(count)"; exit 0
fi
mkdir -p "$(dirname "$DEST")"
tmp=$(mktemp -d "$(dirname "$DEST")/.wheelhouse.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# build in a copy of the listed paths so the source tree gets no build/ or *.egg-info litter
mkdir "$tmp/src"
for p in "${PATHS[@]}"; do [ -e "$p" ] && cp -a --parents "$p" "$tmp/src/"; done
[ -f "$tmp/src/pyproject.toml" ] || [ -f "$tmp/src/setup.py" ] || cp -a pyproject.toml "$tmp/src/" 2>/dev/null || true
if ! "$PY" -m pip wheel --quiet --disable-pip-version-check "${PIPARGS[@]}" -w "$tmp/wheels" "$tmp/src" >"$tmp/pip.log" 2>&1; then
  tail -40 "$tmp/pip.log" >&2; exit 1
fi
echo "$fp" > "$tmp/wheels/.source-fingerprint"
rm -rf "$DEST.old"; [ -d "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$tmp/wheels" "$DEST"; rm -rf "$DEST.old"
printf '{"changed": true, "fingerprint": "%s", "dest": "%s", "wheels": %d}\n' "$fp" "$DEST" "$(count)"
