#!/bin/sh
# Refreshes the Debian-packaged EOL data in packages/core/src/eol/data from deb.debian.org:
# distro-info-data and debian-security-support from trixie, and debian-security-support from
# bookworm (whose own branch carries the newest Debian 12 list). apt runs with a private
# configuration in a temporary directory, so the machine's apt sources and state are untouched.
# Needs: apt-get, dpkg, /usr/share/keyrings/debian-archive-keyring.gpg.
# Afterwards: update the versions in packages/core/src/eol/data/README.md (printed below) and run
#   npx vitest run packages/core/src/eol
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
data="$repo/packages/core/src/eol/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch <suite> <package>...: downloads and unpacks into $tmp/<suite>/x
  suite=$1; shift
  dir="$tmp/$suite"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/x"
  key=/usr/share/keyrings/debian-archive-keyring.gpg
  cat >"$dir/sources.list" <<LIST
deb [signed-by=$key] http://deb.debian.org/debian $suite main
deb [signed-by=$key] http://deb.debian.org/debian $suite-updates main
deb [signed-by=$key] http://deb.debian.org/debian-security $suite-security main
LIST
  opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null \
-o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache -o Dir::State::status=/dev/null \
-o APT::Sandbox::User=root -qq"
  # shellcheck disable=SC2086
  apt-get $opts update
  (cd "$dir" && apt-get $opts download "$@")
  for deb in "$dir"/*.deb; do
    dpkg -x "$deb" "$dir/x"
    echo "$(basename "$deb")"
  done
}

fetch trixie distro-info-data debian-security-support
fetch bookworm debian-security-support

t="$tmp/trixie/x/usr/share"
b="$tmp/bookworm/x/usr/share"
cp "$t/distro-info/debian.csv" "$t/distro-info/ubuntu.csv" "$data/distro-info/"
cp "$t/doc/distro-info-data/copyright" "$data/distro-info/copyright"
for n in 10 11 13; do cp "$t/debian-security-support/security-support.deb$n" "$data/debian-security-support/trixie/"; done
cp "$b/debian-security-support/security-support-ended.deb12" "$b/debian-security-support/security-support-limited" \
  "$data/debian-security-support/bookworm/"
cp "$t/doc/debian-security-support/copyright" "$data/debian-security-support/copyright"
echo "updated $data; record the package versions above in its README.md"
