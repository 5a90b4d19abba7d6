# Sourced by scripts/run and scripts/test: Debian packages and the virtualenv.
# Qt's offscreen/xcb platform libraries, fonts, and a Secret Service (gnome-keyring on D-Bus).
DEBIAN_PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
libglib2.0-0 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
fonts-dejavu-core dbus dbus-daemon gnome-keyring"

install_debian_packages() {
  command -v dpkg >/dev/null || return 0
  local missing=""
  python3 -m venv --help >/dev/null 2>&1 || missing=" python3-venv"
  for pkg in $DEBIAN_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian packages:$missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

make_venv() {  # $1: pip extras, e.g. "[test]"
  VENV="${AIDESK_VENV:-.venv}"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$1"
}

postgres_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

start_postgres() {  # the sync tests need PostgreSQL at 127.0.0.1:5432 (trust auth, db `test`)
  postgres_up && return 0
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" \
      main start || true
    for _ in $(seq 30); do postgres_up && return 0; sleep 1; done
  fi
  echo "PostgreSQL is not running at 127.0.0.1:5432: the sync tests (tests/sync) will fail." >&2
}
