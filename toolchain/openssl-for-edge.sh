#!/usr/bin/env bash
# Builds the OpenSSL that `./build.sh --openssl edge` links instead of Debian's libssl.a and libcrypto.a:
# the same version as Debian 12's libssl-dev (so .NET's prebuilt shim and Debian's headers match), from
# Debian's own copy of the upstream source (SHA-256 pinned below), configured without the algorithms,
# protocols and machinery edge never uses. It is 1.4 MB smaller and keeps verified TLS 1.2/1.3 with the
# system's CA certificates (--openssldir=/usr/lib/ssl, as Debian's). bench/results/size.md has the numbers.
#
#   toolchain/openssl-for-edge.sh x64|arm64 OUTDIR      writes OUTDIR/libssl.a and OUTDIR/libcrypto.a
#   toolchain/openssl-for-edge.sh --pin                  fails, saying why, when libssl-dev is not the pinned version
#
# Not the default: Debian's libssl gets security fixes through apt; this one only when VERSION and SHA256
# below are moved to a fixed release by hand. Debian also fixes CVEs by patches of its own between upstream
# releases (3.0.22-1~deb12u2 added six), which the upstream source lacks: so the pin names the one Debian
# revision whose changelog has no fix beyond upstream VERSION, and a newer revision stops the build until the
# pin moves to an upstream release with those fixes. About 2.5 minutes for x64 and 4 for arm64 (cross) on 2 cores.
set -euo pipefail
VERSION=3.0.22
DEBIAN_REVISION=3.0.22-1~deb12u1
SHA256=67ebca7e50d17383028045486653492195b83db95f8558709701bb47b5c1ef81
URL="http://deb.debian.org/debian-security/pool/updates/main/o/openssl/openssl_${VERSION}.orig.tar.gz"

# One line per installed architecture (multiarch keeps them at one version): the first says it.
have=$(dpkg-query -W -f '${Version}\n' libssl-dev 2>/dev/null | head -n1 || true)
if [[ "$have" != "$DEBIAN_REVISION" ]]; then
    why="libssl-dev here is \"$have\", the pinned OpenSSL source is upstream $VERSION as Debian shipped it in $DEBIAN_REVISION"
    [[ "$have" == "$VERSION"-* ]] && why+=" (Debian's later revisions patch CVEs the upstream source lacks: /usr/share/doc/libssl-dev/changelog.Debian.gz)"
    if [[ "${1:-}" == --pin ]]; then echo "$why"; else echo "openssl-for-edge: $why" >&2; fi
    exit 1
fi
[[ "${1:-}" == --pin ]] && exit 0
arch="${1:?usage: openssl-for-edge.sh x64|arm64 OUTDIR}"
out=$(realpath -m "${2:?usage: openssl-for-edge.sh x64|arm64 OUTDIR}")
if [[ -f "$out/libssl.a" && -f "$out/libcrypto.a" && "$(cat "$out/version" 2>/dev/null)" == "$VERSION $arch" ]]; then
    exit 0
fi

case "$arch" in
    x64) target=linux-x86_64; cross=() ;;
    arm64) target=linux-aarch64; cross=(--cross-compile-prefix=aarch64-linux-gnu-) ;;
    *) echo "openssl-for-edge: unknown architecture \"$arch\" (use x64 or arm64)" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/openssl-for-edge-XXXXXX)
trap 'rm -rf "$work"' EXIT
tarball="${OPENSSL_TARBALL:-}"
if [[ -z "$tarball" ]]; then
    tarball="$work/openssl.tar.gz"
    curl -fsS --max-time 300 -o "$tarball" "$URL"
fi
echo "$SHA256  $tarball" | sha256sum -c --quiet - || { echo "openssl-for-edge: $tarball is not openssl $VERSION as pinned" >&2; exit 1; }
tar -C "$work" -xzf "$tarball"
cd "$work/openssl-$VERSION"

# Left out: what edge never uses (legacy ciphers and digests, DTLS, SSL 3, TLS 1.0/1.1, PSK/SRP, CMS/TS,
# engines that load modules, the console UI). Kept: what .NET's shim links against (GF(2^m) curves: without
# them 5 of its symbols are undefined; the ENGINE and deprecated APIs).
./Configure "$target" "${cross[@]}" --openssldir=/usr/lib/ssl \
    no-shared no-module no-legacy no-tests no-idea no-camellia no-seed no-bf no-cast \
    no-rc5 no-mdc2 no-whirlpool no-sm2 no-sm3 no-sm4 no-aria no-siphash no-ocb no-srp no-gost no-cms no-ts \
    no-comp no-dtls no-ssl3 no-tls1 no-tls1_1 no-srtp no-sctp no-nextprotoneg no-psk no-ui-console no-async \
    no-dso no-afalgeng no-padlockeng no-dynamic-engine no-filenames -Os -ffunction-sections -fdata-sections \
    > "$work/configure.log"
make -j"$(nproc)" build_libs > "$work/make.log" 2>&1 || { tail -20 "$work/make.log" >&2; exit 1; }

mkdir -p "$out"
cp libssl.a libcrypto.a "$out/"
echo "$VERSION $arch" > "$out/version"
echo "openssl-for-edge: $out (openssl $VERSION, $arch)"
