#!/bin/sh
# Install Debian packages the project needs (python3-venv, chromium, postgresql, haproxy, npm) when they are missing.
# Only as root with apt-get; otherwise say what to install and let the caller decide.
set -u
missing=""
for package in "$@"; do
    case "$package" in
        chromium) [ -x /usr/bin/chromium ] || missing="$missing $package" ;;
        npm) command -v npm >/dev/null 2>&1 || missing="$missing $package" ;;
        *) dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    exit $?
fi
echo "missing Debian packages:$missing (install with: sudo apt-get install$missing)" >&2
exit 1
