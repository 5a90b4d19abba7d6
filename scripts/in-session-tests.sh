# Runs inside dbus-run-session (see scripts/test).
set -euo pipefail
VENV="${AIDESK_VENV:-.venv}"
export HOME="$(mktemp -d)"
echo -n ci-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export AIDESK_REQUIRE_SECRET_SERVICE=1 QT_QPA_PLATFORM=offscreen
"$VENV/bin/ruff" check aidesk tests bench
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
"$VENV/bin/python" -m pytest "$@"
