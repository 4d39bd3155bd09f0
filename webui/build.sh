#!/usr/bin/env bash
# Vendor the web UI's npm libraries (igv.js; Swagger UI for the API docs) into ella_app/webui/static/vendor/.
#
# The vendored files are committed: the wheel (and so every air-gapped hospital host) carries them and no host
# or wheel build needs Node.js or the npm registry. Run this only to upgrade a library: change the version in
# package.json, `npm install --ignore-scripts` to update package-lock.json, then `webui/build.sh`, and commit
# package.json, package-lock.json and the vendor/ files together.
#
#   webui/build.sh          npm ci, then copy the dist files into static/vendor/
#   webui/build.sh --check  npm ci, then fail if the committed vendor/ files differ from the locked packages
set -euo pipefail
cd "$(dirname "$0")"
vendor=../ella_app/webui/static/vendor
check=0
[[ "${1:-}" == "--check" ]] && check=1

npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

igv_version=$(node -p "require('./node_modules/igv/package.json').version")
swagger_version=$(node -p "require('./node_modules/swagger-ui-dist/package.json').version")
# source file -> vendored file (Swagger UI: the API docs page at /api/v1/docs, served by the API itself)
declare -A files=(
  [node_modules/igv/dist/igv.esm.min.js]=igv/igv.esm.min.js
  [node_modules/igv/LICENSE]=igv/LICENSE
  [node_modules/swagger-ui-dist/swagger-ui-bundle.js]=swagger-ui/swagger-ui-bundle.js
  [node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt]=swagger-ui/swagger-ui-bundle.js.LICENSE.txt
  [node_modules/swagger-ui-dist/swagger-ui.css]=swagger-ui/swagger-ui.css
  [node_modules/swagger-ui-dist/LICENSE]=swagger-ui/LICENSE
  [node_modules/swagger-ui-dist/NOTICE]=swagger-ui/NOTICE
)

status=0
for src in "${!files[@]}"; do
  dest="$vendor/${files[$src]}"
  if (( check )); then
    if ! cmp -s "$src" "$dest"; then
      echo "out of date: $dest (run webui/build.sh)" >&2
      status=1
    fi
  else
    mkdir -p "$(dirname "$dest")"
    cp "$src" "$dest"
    echo "vendored $dest"
  fi
done
if (( check )); then
  grep -qx "igv $igv_version" "$vendor/igv/VERSION" || { echo "out of date: $vendor/igv/VERSION" >&2; status=1; }
  grep -qx "swagger-ui-dist $swagger_version" "$vendor/swagger-ui/VERSION" \
    || { echo "out of date: $vendor/swagger-ui/VERSION" >&2; status=1; }
  (( status == 0 )) && echo "vendor/ matches package-lock.json"
else
  echo "igv $igv_version" > "$vendor/igv/VERSION"
  echo "swagger-ui-dist $swagger_version" > "$vendor/swagger-ui/VERSION"
fi
exit $status
