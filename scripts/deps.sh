#!/usr/bin/env bash
# Installs the Debian packages seglog builds against, only those missing.
# Idempotent; safe to run on every build. Needs root (or sudo) only when something is missing.
set -euo pipefail
required=(
  build-essential cmake pkg-config
  liburing-dev          # io_uring backend
  libxxhash-dev         # XXH3-64 checksums
  libzstd-dev           # batch compression
  libroaring-dev        # roaring-bitmap delete indexes
  libgtest-dev libgmock-dev googletest   # tests
  libbenchmark-dev      # micro-benchmarks
  libssl-dev            # libcrypto: MD5 (Kinesis routing), SHA-256 (FIFO dedup), HMAC (SigV4); libssl: seglogd's TLS
  libcli11-dev          # command-line parsing for tools
  nlohmann-json3-dev    # JSON output of tools and benchmarks; SNS filter policies (parsed once per subscription)
  libsimdjson-dev       # SNS MessageBody-scope filtering: each published body parsed once, fast
  e2fsprogs util-linux  # the full-disk tests make and loop-mount a small ext4 image (mkfs.ext4, mount, losetup)
  libboost-dev          # seglogd: Boost.Asio (event loop) and Boost.Beast (HTTP/1.1), header-only
  python3-boto3 awscli  # seglogd's client tests: Debian's boto3 and AWS CLI speak SQS's Query protocol
)
missing=()
for p in "${required[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
