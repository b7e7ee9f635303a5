/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CLAIR_PARSE_OK,          /*< nick=ok >*/
  /* A marker was found but the reply was cut off (finish_reason "length"). */
  CLAIR_PARSE_TRUNCATED,   /*< nick=truncated >*/
  /* No revision marker, or an empty revision after it. */
  CLAIR_PARSE_NO_MARKER,   /*< nick=no-marker >*/
} ClairParseStatus;

typedef struct
{
  ClairParseStatus  status;
  char             *revision;   /* NULL when no marker */
  char             *rationale;  /* NULL when no marker */
  char             *marker;     /* the marker text as it appeared, NULL when none */
  char             *reason;     /* why the status is not OK, a sentence; NULL when OK */
  char             *raw;        /* the reply, always kept */
} ClairParseResult;

/* Identical to distilabel on well-formed replies, better on its known weaknesses (see
 * clair-parse.c). @finish_reason may be NULL. */
ClairParseResult *clair_parse_reply            (const char        *content,
                                                const char        *finish_reason);
/* distilabel's CLAIR.format_output, exactly (for comparison and tests). */
ClairParseResult *clair_parse_reply_distilabel (const char        *content);
void              clair_parse_result_free      (ClairParseResult  *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairParseResult, clair_parse_result_free)

G_END_DECLS
