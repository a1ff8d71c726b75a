#!/usr/bin/env bash
# Rebuilds static/ from the npm package govuk-frontend (pinned to the version govuk-frontend-jinja
# 4.1.0 targets). The output is committed, so a fresh clone needs neither node nor npm.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --silent --no-audit --no-fund govuk-frontend@6.3.0 sass@1 >/dev/null
dist=node_modules/govuk-frontend/dist
npx --no-install sass --quiet --no-source-map --style=compressed --load-path="$dist" \
    "$here/static/scss/app.scss" "$here/static/css/app.css"
cp "$dist/govuk/govuk-frontend.min.js" "$here/static/js/govuk-frontend.min.js"
rm -rf "$here/static/assets"
mkdir -p "$here/static/assets"
cp -r "$dist/govuk/assets/images" "$here/static/assets/images"
cp "$dist/govuk/assets/manifest.json" "$here/static/assets/manifest.json"
echo "static/ rebuilt from govuk-frontend@6.3.0"
