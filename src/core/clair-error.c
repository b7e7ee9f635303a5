/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-error"

#include "config.h"

#include "clair-error.h"

G_DEFINE_QUARK (clair-error-quark, clair_error)
