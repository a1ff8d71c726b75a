#!/usr/bin/env bash
# Regenerates migrations/versions/0002_stage1.py from the models (while stage 1 has not landed).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
export COMMISSION_ENV=development COMMISSION_INSTANCE="$tmp" DATABASE_URL="sqlite:///$tmp/m.db"
rm -f migrations/versions/0002_stage1.py
.venv/bin/flask --app wsgi dps upgrade >/dev/null 2>&1
.venv/bin/flask --app wsgi db migrate -m "stage 1: dps, applications, membership" >/dev/null 2>&1
generated=$(ls -t migrations/versions/*stage_1*.py | head -1)
mv "$generated" migrations/versions/0002_stage1.py
sed -i "s/^revision = .*/revision = '0002_stage1'/" migrations/versions/0002_stage1.py
rm -rf "$tmp"
echo "migrations/versions/0002_stage1.py regenerated"
