#!/usr/bin/env bash
# container/build-image.sh [OUT.tar] [TAG]
# The trunkload image without a registry and without a container builder: trunkload is
# built from this tree and installed under a staging directory, mmdebstrap makes a
# Debian 12 root file system from Debian's packages (the essential set and .ci/deps's
# RUNTIME_DEPS) and copies it in, and podman import, when podman is here, makes it the
# image TAG (default trunkload:0.1.0). Without podman the root file system stays in
# OUT.tar (default trunkload-rootfs.tar), for `podman import` or `docker import`
# elsewhere. Environment: BUILD (the build directory, default build-image; one already
# configured is used as it is), MIRROR
# (Debian mirror, default mmdebstrap's), SUITE (bookworm).
set -euo pipefail
ROOT=$(realpath "$(dirname "$0")/..")
OUT=$(realpath -m "${1:-trunkload-rootfs.tar}")
TAG=${2:-trunkload:0.1.0}
BUILD=$(realpath -m "${BUILD:-$ROOT/build-image}")
SUITE=${SUITE:-bookworm}
. "$ROOT/.ci/deps"
for tool in mmdebstrap cmake; do
	command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
echo "build-image: building trunkload in $BUILD" >&2
# a build directory already configured is used as it is (a test reuses its build)
[ -f "$BUILD/CMakeCache.txt" ] ||
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTRUNKLOAD_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target trunkload >/dev/null
DESTDIR="$STAGE" cmake --install "$BUILD" --prefix /usr/local >/dev/null
echo "build-image: making the root file system ($SUITE, $RUNTIME_DEPS)" >&2
# shellcheck disable=SC2086 # the mirror is one word or none
mmdebstrap --quiet --variant=essential --include="${RUNTIME_DEPS// /,}" \
	--customize-hook="copy-in $STAGE/usr/local /usr" \
	--customize-hook='chroot "$1" /usr/local/bin/trunkload --help >/dev/null' \
	"$SUITE" "$OUT" ${MIRROR:-}
if command -v podman >/dev/null; then
	podman import --change 'ENTRYPOINT ["/usr/local/bin/trunkload"]' --change 'CMD ["--help"]' \
		--change 'EXPOSE 5061 9464' "$OUT" "$TAG" >/dev/null
	echo "build-image: image $TAG (push: podman push $TAG REGISTRY/$TAG)"
else
	echo "build-image: root file system in $OUT (podman import $OUT $TAG, or docker import)"
fi
