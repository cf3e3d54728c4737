// SPDX-License-Identifier: GPL-2.0
/*
 * walkthrough_user: docs/walkthrough.md's demonstrations as a student on a
 * lab machine runs them (make walkthrough-user): started as root, it
 * becomes uid 65534 (no capabilities) first, then runs every demonstration
 * that needs no root, with the same checks, against /proc/sockfd as that
 * user sees it (its own processes, by the module's default unprivileged=uid
 * rule). Not run: timewait, container, seed.enfile (they set sysctls or
 * make namespaces). The program is tests/guest/walkthrough.c.
 */
#define WALKTHROUGH_USER 1
#include "walkthrough.c"
