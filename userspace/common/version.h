/* SPDX-License-Identifier: MIT */
/*
 * The project's version, printed by `dcc --version` and `dcaccel --version`.
 * The same number is dkms.conf's PACKAGE_VERSION and debian/changelog's
 * upstream version (scripts/check-deb.sh checks that they agree).
 */
#ifndef DCACCEL_VERSION_H
#define DCACCEL_VERSION_H

#define DCACCEL_VERSION "1.0"

#endif /* DCACCEL_VERSION_H */
