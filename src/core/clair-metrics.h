/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much a revision differs from the original. Stored with each result so lists sort on them. */
typedef struct
{
  double jaccard;           /* token Jaccard similarity, as the CLAIR paper measures */
  double levenshtein;       /* character (code point) Levenshtein distance */
  double levenshtein_norm;  /* the distance divided by the longer text's length in characters */
  double changed_share;     /* share of tokens deleted or inserted */
  double length_ratio;      /* length of the revision / length of the original, in characters */
  double similarity_ratio;  /* 2M / T over tokens, as difflib's ratio() */
} ClairMetrics;

/* Computes every metric of @original versus @revision (clair_metrics_compute_len() in clair-diff.h
 * takes lengths and says whether the Levenshtein distance is exact). */
void clair_metrics_compute (const char   *original,
                            const char   *revision,
                            ClairMetrics *metrics);

/* Appends the metrics as one JSON object (the shape `clair diff --json` and `clair show --json` print). */
void clair_metrics_append_json (GString            *out,
                                const ClairMetrics *metrics);

G_END_DECLS
