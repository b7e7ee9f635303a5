/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether [@text, @text + @len) is UTF-8 as RFC 3629 has it: no overlong forms, no surrogates,
 * nothing past U+10FFFF. NUL bytes are valid here (GLib's validator stops at them). */
gboolean clair_utf8_valid (const char *text,
                           gsize       len);

/* The same, one byte at a time: the reference the vector version is tested against. */
gboolean clair_utf8_valid_scalar (const char *text,
                                  gsize       len);

/* For the tests: the result of one kernel (or the best this processor has below it). */
typedef enum
{
  CLAIR_UTF8_SCALAR,
  CLAIR_UTF8_SSSE3,
  CLAIR_UTF8_AVX2,
} ClairUtf8Kernel;

gboolean _clair_utf8_valid_with (ClairUtf8Kernel  kernel,
                                 const char      *text,
                                 gsize            len);

G_END_DECLS
