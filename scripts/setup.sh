#!/usr/bin/env bash
# Installs what Atrium needs on a Debian machine, skipping whatever is already there.
#   scripts/setup.sh run    the desktop app's build and runtime needs
#   scripts/setup.sh test   the above, plus what the tests need (Chromium, Xvfb, WebDriver)
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-run}
packages=(
  # Tauri 2 on Linux: WebKitGTK 4.1 and friends.
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev libssl-dev
  pkg-config build-essential file
)
if [[ $purpose == test ]]; then
  packages+=(
    chromium           # browser-mode UI tests (driven by playwright-core)
    xvfb xauth         # a display for the desktop window
    webkit2gtk-driver  # WebKitWebDriver, to click through the desktop window
    imagemagick        # screenshots of the whole X display
    fonts-dejavu-core  # readable text in screenshots
  )
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "setup: Node.js 20.19+ and npm are missing. Install them, then run this again." >&2
  exit 1
fi

# npm packages, reinstalled only when the lock file changed.
npm_ci() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    echo "setup: installing npm packages in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci ui
# The sample project Atrium opens by default runs its own `convex` package.
npm_ci assets/sample-project
if [[ $purpose == test ]]; then
  npm_ci tests
  # Convex projects the runtime tests run, each with its own `convex` package.
  for fixture in tests/fixtures/*/; do
    [[ -f $fixture/package-lock.json ]] && npm_ci "${fixture%/}"
  done
fi
exit 0
