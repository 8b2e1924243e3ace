#!/usr/bin/env bash
# Runs the FullDisk* cases of seglog_tests (tests/full_disk_test.cc) on small file systems
# made here and nowhere else: an 8 MiB tmpfs and a 16 MiB ext4 image loop-mounted (made with
# -m 0: with the default 5% root reserve, root would fill those blocks first and the engine,
# running as root, would never see a full disk where a user would). Each at a fresh mktemp -d
# mount point, named to the tests in SEGLOG_FULL_DISK_DIR, and unmounted by the EXIT trap
# whatever happens to the test binary (a failed assertion, a sanitizer abort, a signal).
#
# Needs root (mount). Where mounting is refused this FAILS: CI runs as root and must run these.
# Usage: tests/full_disk_test.sh path/to/seglog_tests
set -euo pipefail
bin=${1:?usage: $0 path/to/seglog_tests}

mounts=()
files=()
cleanup() {
  local m
  for m in "${mounts[@]}"; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "could not unmount $m" >&2
    rmdir "$m" 2>/dev/null || true
  done
  if [ "${#files[@]}" -gt 0 ]; then rm -f "${files[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # through the EXIT trap

fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root to mount the small file systems (CI does)"

# Sets $mount_point to a fresh directory, noted for the trap first. (Not a function whose
# output is captured: $(...) runs in a subshell, where the note would be lost.)
new_mount_point() {
  mount_point=$(mktemp -d "${TMPDIR:-/tmp}/seglog-full-disk.XXXXXX")
  mounts+=("$mount_point")
}

run_on() {  # name mount_point
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/seglog-full-disk-log.XXXXXX")
  files+=("$log")
  echo "== FullDisk* on $1 ($(df -h --output=size "$2" | tail -1 | tr -d ' '))"
  if ! SEGLOG_FULL_DISK_DIR=$2 "$bin" --gtest_filter='FullDisk*' 2>&1 | tee "$log"; then
    echo "FAILED on $1" >&2
    failed+=("$1")
  elif grep -q '\[  SKIPPED \]' "$log" || ! grep -q '\[  PASSED  \]' "$log"; then
    echo "FAILED on $1: a FullDisk case skipped, or none ran" >&2
    failed+=("$1")
  fi
}
failed=()

new_mount_point
mount -t tmpfs -o size=8m seglog-full-disk "$mount_point" || fail "mounting a tmpfs was refused"
run_on tmpfs "$mount_point"

img=$(mktemp "${TMPDIR:-/tmp}/seglog-full-disk-ext4.XXXXXX")
files+=("$img")
truncate -s 16M "$img"
mkfs.ext4 -q -F -m 0 "$img" || fail "mkfs.ext4 failed"
new_mount_point
mount -o loop "$img" "$mount_point" || fail "loop-mounting an ext4 image was refused"
run_on ext4 "$mount_point"
[ "${#failed[@]}" -eq 0 ] || fail "FullDisk* failed on: ${failed[*]}"
echo "== FullDisk*: passed on tmpfs and ext4"
