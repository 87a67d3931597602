#!/usr/bin/env bash
# balance batch / report from an installed package (issue 10): `pip install .` into a fresh venv
# outside the repository, then run from another folder on the demo data.
#
#   scripts/check-installed.sh [WORKDIR]
#
# The fresh venv gets balance itself from a wheel build of this checkout (not editable); its
# dependencies come from the project's .venv through a .pth line (so the check needs no network
# and takes about a minute). It passes when `balance report` and `balance batch` write briefings
# with the notebooks installed in <venv>/share/balance/notebooks, and BALANCE_NOTEBOOKS overrides.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/balance-installed.XXXXXX)}"
DEPS="$("$REPO/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
python3 -m venv "$WORK/venv"
PURE="$("$WORK/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$DEPS" > "$PURE/project-deps.pth"
"$WORK/venv/bin/python" -m pip install -q --no-deps --no-build-isolation "$REPO" 2>&1 | grep -v "^WARNING" || true
cd "$WORK"   # not the repository: nothing may be found through the current folder
test ! -e "$WORK/notebooks"
"$WORK/venv/bin/python" - <<PY
import balance, balance._resources as r
assert "site-packages" in balance.__file__, balance.__file__
print("balance", balance.__version__, "from", balance.__file__)
print("notebooks:", r.notebooks_dir())
assert (r.notebooks_dir() / "county_briefing.ipynb").is_file()
PY
cat > "$WORK/990101_2025.yaml" <<YAML
notebook: county_briefing
data: $REPO/data/demo/schools.csv
county_code: "990101"
year: 2025
YAML
"$WORK/venv/bin/balance" report "$WORK/990101_2025.yaml" --out "$WORK/out-report"
test -s "$WORK/out-report/990101_2025.html"
"$WORK/venv/bin/balance" batch "$WORK/990101_2025.yaml" --out "$WORK/out-batch" --no-progress --workers 1
test -s "$WORK/out-batch/990101_2025.html" && test -s "$WORK/out-batch/index.html"
mkdir -p "$WORK/my-notebooks" && cp "$REPO/notebooks/county_briefing.ipynb" "$WORK/my-notebooks/"
BALANCE_NOTEBOOKS="$WORK/my-notebooks" "$WORK/venv/bin/python" -c \
  "import balance._resources as r, pathlib; assert r.notebooks_dir() == pathlib.Path('$WORK/my-notebooks')"
echo "OK: report and batch work from an installed package ($WORK)"
