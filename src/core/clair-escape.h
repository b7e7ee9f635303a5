/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text for humans comes from datasets, servers and file names, none of which we trust. These make
 * what a terminal or a label would act on (or hide) visible instead: ESC as \e, other C0
 * controls, DEL, C1 controls and bytes that are not UTF-8 as \xHH. NULL for NULL. */
typedef enum
{
  CLAIR_ESCAPE_LINE  = 0,        /* one line: newlines and tabs are escaped too */
  CLAIR_ESCAPE_BLOCK = 1 << 0,   /* a multi-line text shown on purpose: newlines and tabs stay */
  CLAIR_ESCAPE_MARKUP = 1 << 1,  /* the result goes into Pango markup: <, > and & escaped as well */
} ClairEscapeFlags;

char *clair_escape_controls (const char       *text,
                             ClairEscapeFlags  flags);

G_END_DECLS
