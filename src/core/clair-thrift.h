/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A reader for the Thrift compact protocol, the encoding of Parquet's file and page metadata.
 *
 * Every read is bounds-checked against the buffer. The first problem sets @failed and @problem and
 * makes every later read return zeroes, so a parser reads on and checks once at the end. Nesting is
 * limited to CLAIR_THRIFT_MAX_DEPTH and list sizes to what the remaining bytes can hold, so no input
 * can recurse deeply or make the parser allocate more than the input's size. */

#define CLAIR_THRIFT_MAX_DEPTH 32

typedef enum
{
  CLAIR_THRIFT_STOP = 0,
  CLAIR_THRIFT_TRUE = 1,
  CLAIR_THRIFT_FALSE = 2,
  CLAIR_THRIFT_I8 = 3,
  CLAIR_THRIFT_I16 = 4,
  CLAIR_THRIFT_I32 = 5,
  CLAIR_THRIFT_I64 = 6,
  CLAIR_THRIFT_DOUBLE = 7,
  CLAIR_THRIFT_BINARY = 8,
  CLAIR_THRIFT_LIST = 9,
  CLAIR_THRIFT_SET = 10,
  CLAIR_THRIFT_MAP = 11,
  CLAIR_THRIFT_STRUCT = 12,
} ClairThriftType;

typedef struct
{
  const guint8 *p;
  const guint8 *end;
  guint         depth;
  gboolean      failed;
  const char   *problem;
  gint16        last_id[CLAIR_THRIFT_MAX_DEPTH + 1];
} ClairThrift;

void     clair_thrift_init         (ClairThrift   *t,
                                    const guint8  *data,
                                    gsize          len);
void     clair_thrift_fail         (ClairThrift   *t,
                                    const char    *problem);
/* Enters a struct (the outermost one too); FALSE when too deep. */
gboolean clair_thrift_struct_begin (ClairThrift   *t);
/* The next field of the current struct: FALSE at its end (or on a problem), after which the
 * struct has been left. A boolean field's value is in its type (CLAIR_THRIFT_TRUE / _FALSE). */
gboolean clair_thrift_field        (ClairThrift   *t,
                                    gint16        *id,
                                    guint8        *type);
gint64   clair_thrift_int          (ClairThrift   *t);
/* An i32 field, failing when @type is not an integer or the value does not fit. */
gint32   clair_thrift_i32          (ClairThrift   *t,
                                    guint8         type);
gint64   clair_thrift_i64          (ClairThrift   *t,
                                    guint8         type);
gboolean clair_thrift_bool         (ClairThrift   *t,
                                    guint8         type);
/* Bytes of a binary or string field, pointing into the buffer. */
const guint8 *clair_thrift_binary  (ClairThrift   *t,
                                    guint8         type,
                                    gsize         *len);
/* A list or set header: the element type and count. The count is checked against the bytes left. */
gboolean clair_thrift_list         (ClairThrift   *t,
                                    guint8         type,
                                    guint8        *elem_type,
                                    guint32       *n);
/* Skips a value of @type, whatever it holds. */
void     clair_thrift_skip         (ClairThrift   *t,
                                    guint8         type);

G_END_DECLS
