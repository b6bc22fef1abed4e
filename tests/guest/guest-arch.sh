# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced: what the guest's architecture (GUEST_ARCH, amd64 by default)
# means for the programs built to run in it. Sets
#   guest_arch      amd64 or arm64
#   guest_variant   the make VARIANT of its userspace (build/VARIANT/)
#   guest_cc        its C compiler; guest_ld its linker
#   guest_openblas  the OpenBLAS core to name under TCG (OPENBLAS_CORETYPE)
#   guest_deps      the scripts/deps groups it needs beyond the guest's
# and exits 2 with a message for any other GUEST_ARCH.
# shellcheck disable=SC2034 # used by the scripts that source this
guest_arch=${GUEST_ARCH:-amd64}
case "$guest_arch" in
amd64)
	guest_variant=release guest_cc=gcc guest_ld=ld
	guest_openblas=Prescott guest_deps=()
	;;
arm64)
	guest_variant=arm64 guest_cc=aarch64-linux-gnu-gcc
	guest_ld=aarch64-linux-gnu-ld guest_openblas=ARMV8 guest_deps=(arm64)
	;;
*)
	echo "$(basename "$0"): GUEST_ARCH (ARCH) is '$guest_arch': want amd64 or arm64" >&2
	exit 2
	;;
esac
