/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_HISTOGRAM (clair_histogram_get_type ())
G_DECLARE_FINAL_TYPE (ClairHistogram, clair_histogram, CLAIR, HISTOGRAM, GtkWidget)

#define CLAIR_HISTOGRAM_N_BINS 20

/* Bars of values in [0, 1], with a threshold line that a click or drag moves. */
GtkWidget *clair_histogram_new           (void);
void       clair_histogram_set_bins      (ClairHistogram *self,
                                          const guint    *bins);
guint      clair_histogram_get_bin       (ClairHistogram *self,
                                          guint           bin);
double     clair_histogram_get_threshold (ClairHistogram *self);
void       clair_histogram_set_threshold (ClairHistogram *self,
                                          double          threshold);

G_END_DECLS
