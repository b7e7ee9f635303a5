/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Core's messages reach people: in the app's dialogs and on the CLI's stderr. They are looked up
 * in the "clair-studio" catalogue by name (dgettext), so they come out translated whatever text
 * domain the program that links core chose with textdomain(); the program binds the catalogue
 * (bindtextdomain) and sets the locale. Only core's .c files include this, after config.h, which
 * defines GETTEXT_PACKAGE. */

#ifndef GETTEXT_PACKAGE
#error "include config.h before clair-i18n.h"
#endif

#include <glib/gi18n-lib.h>
