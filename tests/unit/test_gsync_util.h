/* Shared helpers for the gsync tests (header-only; included by test_gsync*.c).
 * Creates fixture repositories with the git CLI in a private temp dir with a
 * deterministic environment, and starts/stops loopback servers. */
#ifndef TEST_GSYNC_UTIL_H
#define TEST_GSYNC_UTIL_H

/* test paths are short; silence GCC's pessimistic snprintf size analysis */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char T_ROOT[PATH_MAX];    /* private temp dir */
static char T_SCRIPTS[PATH_MAX]; /* tests/git */

static double t_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run a shell command (formatted); returns its exit status. */
static int t_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int t_sh(const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  int st = system(cmd);
  if (st == -1 || !WIFEXITED(st)) return -1;
  if (WEXITSTATUS(st) != 0) fprintf(stderr, "command failed (%d): %s\n", WEXITSTATUS(st), cmd);
  return WEXITSTATUS(st);
}

/* Run a command and capture the first line of its stdout into out. */
static int t_capture(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int t_capture(char *out, size_t cap, const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  out[0] = 0;
  if (!fgets(out, (int)cap, p)) out[0] = 0;
  int st = pclose(p);
  size_t n = strlen(out);
  while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
    out[--n] = 0;
  return (st == 0 && n) ? 0 : -1;
}

/* Deterministic, isolated git environment for the whole test process. */
static int t_env_setup(const char *prefix) {
  char tmpl[PATH_MAX];
  const char *tmp = getenv("TMPDIR");
  snprintf(tmpl, sizeof(tmpl), "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
  if (!mkdtemp(tmpl)) return -1;
  if (!realpath(tmpl, T_ROOT)) return -1;

  /* tests/git relative to this source file (the build runs from the repo root) */
  char src[PATH_MAX];
  snprintf(src, sizeof(src), "%s", __FILE__);
  char *slash = strrchr(src, '/');
  if (slash)
    *slash = 0;
  else
    snprintf(src, sizeof(src), ".");
  char guess[PATH_MAX + 16];
  snprintf(guess, sizeof(guess), "%s/../git", src);
  const char *envdir = getenv("GSYNC_TEST_SCRIPTS");
  if (!realpath(envdir && *envdir ? envdir : guess, T_SCRIPTS) && !realpath("tests/git", T_SCRIPTS))
    return -1;

  char home[PATH_MAX + 16];
  snprintf(home, sizeof(home), "%s/home", T_ROOT);
  mkdir(home, 0700);
  setenv("HOME", home, 1);
  setenv("XDG_CONFIG_HOME", home, 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  setenv("GIT_AUTHOR_NAME", "Test Author", 1);
  setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
  setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
  setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
  setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", 1);
  setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z", 1);
  setenv("GIT_TERMINAL_PROMPT", "0", 1);
  unsetenv("GIT_DIR");
  unsetenv("GIT_WORK_TREE");
  static const char *const vars[] = {"GITOPS_GIT_USERNAME",
                                     "GITOPS_GIT_PASSWORD",
                                     "GITOPS_GIT_TOKEN",
                                     "GITOPS_GIT_SSH_PRIVATE_KEY",
                                     "GITOPS_GIT_SSH_PRIVATE_KEY_FILE",
                                     "GITOPS_GIT_SSH_KNOWN_HOSTS",
                                     "http_proxy",
                                     "https_proxy",
                                     "HTTP_PROXY",
                                     "HTTPS_PROXY",
                                     "all_proxy",
                                     "ALL_PROXY"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
  return 0;
}

static void t_env_teardown(void) {
  if (T_ROOT[0] && strncmp(T_ROOT, "/", 1) == 0 && strlen(T_ROOT) > 5) t_sh("rm -rf '%s'", T_ROOT);
}

/* Whole file as a NUL-terminated heap string (NULL on error). */
static char *t_read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 8192;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    size_t n = fread(buf + len, 1, 4096, f);
    len += n;
    if (n < 4096) break;
  }
  fclose(f);
  buf[len] = 0;
  return buf;
}

/* Server started by fork/exec with its URL read from the first stdout line. */
typedef struct t_server {
  pid_t pid;
  char url[256];
} t_server;

static int t_server_start(t_server *s, char *const argv[]) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    setpgid(0, 0);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  s->pid = pid;
  FILE *f = fdopen(fds[0], "r");
  s->url[0] = 0;
  if (!f || !fgets(s->url, sizeof(s->url), f)) {
    if (f) fclose(f);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
  }
  fclose(f);
  size_t n = strlen(s->url);
  while (n && (s->url[n - 1] == '\n' || s->url[n - 1] == '\r'))
    s->url[--n] = 0;
  return 0;
}

static void t_server_stop(t_server *s) {
  if (s->pid > 0) {
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
  }
}

#endif
