#!/usr/bin/env bash
# Builds .device/ (git-ignored) for the GPU machine, which has CUDA, PyTorch and transformers but no
# Java: a jlinked Java 25 runtime (xz-compressed), the fat jar without other platforms' native libraries, and the
# tiny-llama test checkpoint from ../shared (which does not travel). Must stay under the device
# tool's 64 MiB carry limit; prints the size.
#
#   bench/prepare-device.sh && <device run> carry=[".device"] command="bash bench/cuda-device-check.sh"
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
OUT="$ROOT/.device"
"$ROOT/radixgate" build >/dev/null
rm -rf "$OUT"
mkdir -p "$OUT/models"
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.net.http,jdk.incubator.vector,java.management,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$OUT/jre" 2>/dev/null
strip --strip-unneeded "$OUT"/jre/lib/server/libjvm.so 2>/dev/null || true
tar -C "$OUT" -cJf "$OUT/jre.tar.xz" jre && rm -rf "$OUT/jre" # unpacked on the device
cp "$ROOT/ops/target/radixgate.jar" "$OUT/radixgate.jar"
zip -q -d "$OUT/radixgate.jar" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' 'com/sun/jna/aix-*' \
  'com/sun/jna/win32-*' 'com/sun/jna/darwin-*' 'com/sun/jna/sunos-*' 'com/sun/jna/freebsd-*' 'com/sun/jna/openbsd-*' \
  'com/sun/jna/linux-[!x]*' >/dev/null || true
SHARED="$ROOT/../shared/testdata/models/tiny-llama"
if [ -d "$SHARED" ]; then cp -r "$SHARED" "$OUT/models/tiny-llama"; else echo "note: $SHARED not found; the golden check will be skipped" >&2; fi
du -sh "$OUT"/* "$OUT"
