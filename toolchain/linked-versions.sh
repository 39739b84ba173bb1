#!/usr/bin/env bash
# The C libraries a static edge carries, as `edge --version` prints them: one "name: upstream (package
# version)" each, joined by "|" into one line (MSBuild's Lines would split at a ";"). A static binary keeps
# the library it was linked with until it is rebuilt, so its user needs the exact version to match against
# security advisories (Debian patches CVEs without changing the upstream number: the package version is
# what its tracker names).
#
#   toolchain/linked-versions.sh CC [OPENSSL_DIR]
#
# CC finds the archives the link uses (-print-file-name); OPENSSL_DIR is build.sh's --openssl edge
# directory, whose libcrypto.a no package owns.
set -euo pipefail

cc=${1:?usage: linked-versions.sh CC [OPENSSL_DIR]}
openssl_dir=${2:-}

# archive_of NAME: the real path of the archive the compiler driver links for -lNAME.
archive_of() { realpath -e "$($cc -print-file-name="lib$1.a")" 2>/dev/null || echo "lib$1.a"; }

# package_of ARCHIVE: "package version" of the Debian package that installed ARCHIVE, or nothing.
package_of() {
    local owner
    # "libssl-dev:amd64: /usr/lib/x86_64-linux-gnu/libcrypto.a"
    owner=$(dpkg-query -S "$1" 2>/dev/null | head -1) || true
    owner=${owner%%: /*}
    [[ -n "$owner" ]] || return 0
    echo "$owner $(dpkg-query -W -f='${Version}' "$owner" 2>/dev/null)"
}

# line NAME UPSTREAM PACKAGE: "NAME: UPSTREAM (Debian PACKAGE)", PACKAGE as package_of gives it.
line() { printf '%s: %s%s' "$1" "${2:-unknown}" "${3:+ (Debian $3)}"; }

# The upstream version of a Debian package version: no epoch, no Debian revision, no repack suffix.
upstream() { local v=${1#*:}; v=${v%-*}; echo "${v%%+*}"; }

crypto=${openssl_dir:+$openssl_dir/libcrypto.a}
crypto=${crypto:-$(archive_of crypto)}
# OPENSSL_VERSION_TEXT, which libcrypto.a holds ("OpenSSL 3.0.22 1 Oct 2026"): true for any build of it.
openssl=$(strings -a "$crypto" 2>/dev/null | grep -m1 -oE '^OpenSSL [0-9]+\.[0-9]+\.[0-9]+[a-z]?' | cut -d' ' -f2 || true)

out=$(line openssl "$openssl" "$(package_of "$crypto")")$'\n'
for library in seccomp zstd c; do
    package=$(package_of "$(archive_of "$library")")
    case $library in seccomp) name=libseccomp ;; zstd) name=zstd ;; c) name=glibc ;; esac
    out+=$(line "$name" "$([[ -n "$package" ]] && upstream "${package#* }")" "$package")$'\n'
done
# Only the characters these lines can hold reach the generated C# string.
printf '%s' "${out%$'\n'}" | tr -cd 'A-Za-z0-9 .:+~()_\n-' | tr '\n' '|'
