/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the libFuzzer targets: fatal GLib criticals and warnings (a g_return_if_fail() hit by
 * some input is a bug), and a scratch file per process for the readers that take a path. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *fuzz_dir;

/* GLib breaks into a debugger (SIGTRAP) on fatal messages, which libFuzzer does not catch:
 * abort instead, so the input is saved as a crash. */
static void
fuzz_log_handler (const char     *log_domain,
                  GLogLevelFlags  log_level,
                  const char     *message,
                  gpointer        user_data)
{
  g_log_default_handler (log_domain, log_level, message, user_data);
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

static void
fuzz_cleanup (void)
{
  g_autoptr(GDir) dir = g_dir_open (fuzz_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fuzz_dir);
}

static inline void
fuzz_init (void)
{
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *template = g_build_filename (base, "clair-fuzz-XXXXXX", NULL);

  g_log_set_default_handler (fuzz_log_handler, NULL);
  fuzz_dir = g_mkdtemp (g_steal_pointer (&template));
  g_assert (fuzz_dir != NULL);
  atexit (fuzz_cleanup);
}

/* A path in the scratch directory (freed by the caller). */
static inline char *
fuzz_path (const char *name)
{
  return g_build_filename (fuzz_dir, name, NULL);
}

/* Writes @data to @path with plain write(2): no fsync, no rename, as fast as a file can be. */
static inline void
fuzz_write_file (const char    *path,
                 const uint8_t *data,
                 size_t         size)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  size_t done = 0;

  g_assert (fd >= 0);
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert (n > 0);
      done += (size_t) n;
    }
  close (fd);
}

/* Removes a SQLite database and its journal files. */
static inline void
fuzz_remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (journal);
}
