#!/usr/bin/env bash
# Prepare this checkout: system packages where missing, a venv with the pinned
# dependencies, compiled translations. Safe to run again; it only does what is missing.
#   scripts/setup.sh            what the app needs
#   scripts/setup.sh --tests    plus what the test suite needs (Chromium, poppler)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

# fonts-noto-cjk: without it WeasyPrint draws Chinese as empty boxes, silently.
# libharfbuzz-subset0: without it WeasyPrint subsets fonts 35-70x slower, silently.
# gettext: msgfmt compiles the zh-Hant and English catalogues.
packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext)
if [ "$want_tests" = 1 ]; then
  packages+=(chromium poppler-utils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo ">> installing system packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "!! not root and no sudo: install these yourself: ${missing[*]}" >&2; exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "!! Python 3.11 is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo ">> installing Python dependencies"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Compiling catalogues needs settings but no secrets: use the test settings for it.
DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python manage.py compilemessages --ignore=.venv -v0
