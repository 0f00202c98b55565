#!/bin/sh
# Measures what the real JDK throws when glibc's accept() fails with each errno (the ground truth for
# dev.netfault.AcceptError). Not part of the build. Usage: run.sh [java executable]
# NF_MODE=before: fail without touching the queue; consume: take a connection, reset it, then fail.
set -e
cd "$(dirname "$0")"
out=$(mktemp -d)
gcc -shared -fPIC -O2 -o "$out/libshim.so" shim.c -ldl
javac -d "$out" Probe.java
for mode in before consume; do
  for e in 110 100 71 105 23 24 103; do  # ETIMEDOUT ENETDOWN EPROTO ENOBUFS ENFILE EMFILE ECONNABORTED
    NF_ERRNO=$e NF_TIMES=1 NF_MODE=$mode LD_PRELOAD="$out/libshim.so" timeout 60 "${1:-java}" -cp "$out" Probe
  done
done
