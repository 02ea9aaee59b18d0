#!/usr/bin/env bash
# The README's two quick-start commands, for a fresh machine:
#   deploy/quickstart.sh demo   set up, then serve the platform with demo data (SQLite)
#   deploy/quickstart.sh test   set up, then run the test suite on SQLite and PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

setup() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "Tremplin needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
        exit 1
    fi
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # Reinstall only when the dependency list changed since the last setup.
    local stamp="$VENV/.tremplin-installed"
    local wanted
    wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
        echo "$wanted" > "$stamp"
    fi
}

start_postgresql() {
    # Tests run on PostgreSQL too. This machine kind ships a server with trust auth on
    # loopback and a "test" database; install and configure the same when it is missing.
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "Installing PostgreSQL…"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        local hba
        hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -1)
        sed -i -E 's/^(host.*)(scram-sha-256|md5)$/\1trust/' "$hba"
    fi
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload
        createdb -h 127.0.0.1 -U postgres test
    fi
}

install_chromium() {
    # The web app's browser tests drive Debian's Chromium (never a downloaded browser).
    if [ ! -x /usr/bin/chromium ]; then
        echo "Installing Chromium…"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
}

case "${1:-}" in
    demo)
        setup
        exec "$VENV/bin/tremplin" demo
        ;;
    test)
        setup
        start_postgresql
        install_chromium
        export TREMPLIN_REQUIRE_POSTGRES=1
        export TREMPLIN_REQUIRE_OIDC=1
        export TREMPLIN_REQUIRE_BROWSER=1
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: $0 demo|test [pytest arguments]" >&2
        exit 2
        ;;
esac
