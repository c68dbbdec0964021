#!/usr/bin/env bash
# Rebuild the vendored editor: app/web/static/vendor/codemirror/{codemirror.min.js,LICENSE}.
#   bash tools/editor/build.sh
# Installs the pinned packages (package-lock.json) from the npm registry into a temporary folder,
# so no node_modules lands in the checkout, and bundles entry.js with esbuild into one minified
# IIFE that sets window.CodeMirror. Commit the two outputs and, if it changed, package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../app/web/static/vendor/codemirror"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/entry.js" "$work/"
if [[ -f "$here/package-lock.json" ]]; then
  cp "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
else
  (cd "$work" && npm install --no-audit --no-fund --loglevel=error)
  cp "$work/package-lock.json" "$here/"
fi
mkdir -p "$out"
(cd "$work" && npx --no-install esbuild entry.js --bundle --minify --format=iife \
  --global-name=CodeMirror --target=es2020 --legal-comments=none \
  --outfile="$out/codemirror.min.js")
# every bundled package is MIT, by the same authors: one LICENSE plus the version list
{
  cat "$work/node_modules/@codemirror/view/LICENSE"
  echo
  echo "Bundled packages (all MIT):"
  (cd "$work" && node -e '
    const lock = require("./package-lock.json").packages;
    for (const [path, meta] of Object.entries(lock)) {
      if (!path || meta.dev) continue;
      console.log(`  ${path.replace(/^node_modules\//, "")} ${meta.version} (${meta.license})`);
    }')
} > "$out/LICENSE"
ls -l "$out"
