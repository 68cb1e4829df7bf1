/* URL classification / normalization and small filesystem helpers. */
#include "engine/git/gsync_internal.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gsync__sha256_hex(const char *data, size_t len, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return -1;
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = 0;
  return 0;
}

char *gsync__expand_home(const char *path) {
  if (path[0] == '~' && (path[1] == '/' || path[1] == 0)) {
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    size_t n = strlen(home) + strlen(path);
    char *r = malloc(n + 1);
    if (r) snprintf(r, n + 1, "%s%s", home, path + 1);
    return r;
  }
  return strdup(path);
}

int gsync__mkdirs(const char *path, unsigned mode) {
  char buf[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof(buf)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == 0) {
      char c = buf[i];
      buf[i] = 0;
      if (mkdir(buf, mode) != 0 && errno != EEXIST) return -1;
      buf[i] = c;
    }
  }
  struct stat sb;
  if (stat(path, &sb) != 0) return -1;
  if (!S_ISDIR(sb.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  if (flag == FTW_DP || flag == FTW_D)
    rmdir(p);
  else
    unlink(p);
  return 0;
}

int gsync__rmtree(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
  return nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ */

static char *trimmed_dup(const char *s) {
  while (*s && isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  char *r = malloc(n + 1);
  if (!r) return NULL;
  memcpy(r, s, n);
  r[n] = 0;
  return r;
}

static void strip_trailing_slashes(char *s) {
  size_t n = strlen(s);
  while (n > 1 && s[n - 1] == '/')
    s[--n] = 0;
}

static void lower(char *s, size_t n) {
  for (size_t i = 0; i < n && s[i]; i++)
    s[i] = (char)tolower((unsigned char)s[i]);
}

static const char *default_port(const char *scheme) {
  if (!strcmp(scheme, "http")) return "80";
  if (!strcmp(scheme, "https")) return "443";
  if (!strcmp(scheme, "git")) return "9418";
  if (!strcmp(scheme, "ssh") || !strcmp(scheme, "git+ssh") || !strcmp(scheme, "ssh+git"))
    return "22";
  return NULL;
}

/* Is `s` an scp-like "[user@]host:path"?  (':' before any '/') */
static int is_scp_like(const char *s) {
  const char *colon = strchr(s, ':');
  const char *slash = strchr(s, '/');
  if (!colon || colon == s || (slash && slash < colon)) return 0;
  if (colon[1] == 0) return 0;
  return 1;
}

static int set_oom(gsync_error *err) {
  return gsync__set(err, GSYNC_ENOMEM, "out of memory");
}

static int parse_scheme_url(char *u, gsync_url *out, gsync_error *err) {
  char *sep = strstr(u, "://");
  size_t slen = (size_t)(sep - u);
  char scheme[16];
  if (slen == 0 || slen >= sizeof(scheme))
    return gsync__set(err, GSYNC_EINVALID, "unsupported URL \"%s\"", u);
  memcpy(scheme, u, slen);
  scheme[slen] = 0;
  lower(scheme, slen);
  if (!default_port(scheme))
    return gsync__set(err, GSYNC_EINVALID,
                      "unsupported URL scheme \"%s\" (supported: file, git, http, https, ssh)",
                      scheme);

  const char *auth = sep + 3;
  const char *pathp = strchr(auth, '/');
  if (!pathp) pathp = auth + strlen(auth);
  size_t alen = (size_t)(pathp - auth);
  /* user info is everything up to the last '@' in the authority */
  const char *at = NULL;
  for (const char *p = auth; p < pathp; p++)
    if (*p == '@') at = p;
  const char *hostp = at ? at + 1 : auth;
  size_t hlen = (size_t)(pathp - hostp);
  if (hlen == 0) return gsync__set(err, GSYNC_EINVALID, "URL \"%s\" has no host", u);

  char *host = strndup(hostp, hlen);
  char *user = at ? strndup(auth, (size_t)(at - auth)) : NULL;
  if (!host || (at && !user)) {
    free(host);
    free(user);
    return set_oom(err);
  }
  lower(host, hlen);
  /* remember what must never appear in messages: the password, or for
   * http(s) a bare user name (commonly a token: https://TOKEN@host/) */
  if (user) {
    char *c = strchr(user, ':');
    int web = !strcmp(scheme, "http") || !strcmp(scheme, "https");
    if (c && c[1])
      out->secret = strdup(c + 1);
    else if (!c && web && *user)
      out->secret = strdup(user);
  }
  /* drop default port; keep "[v6]" brackets intact */
  char *pc = strrchr(host, ':');
  char *rb = strrchr(host, ']');
  if (pc && (!rb || pc > rb) && !strcmp(pc + 1, default_port(scheme))) *pc = 0;

  const char *path = pathp;
  size_t nn = strlen(scheme) + strlen(host) + strlen(path) + 8;
  out->normalized = malloc(nn);
  /* display: http(s) userinfo is usually a token -> drop it entirely;
   * others keep only the user name */
  char *dispuser = NULL;
  if (user && strcmp(scheme, "http") && strcmp(scheme, "https")) {
    char *c = strchr(user, ':');
    dispuser = c ? strndup(user, (size_t)(c - user)) : strdup(user);
  }
  size_t dn = strlen(scheme) + alen + strlen(path) + 8;
  out->display = malloc(dn);
  if (!out->normalized || !out->display ||
      (user && dispuser == NULL && strcmp(scheme, "http") && strcmp(scheme, "https"))) {
    free(host);
    free(user);
    free(dispuser);
    return set_oom(err);
  }
  snprintf(out->normalized, nn, "%s://%s%s", scheme, host, path);
  strip_trailing_slashes(out->normalized + strlen(scheme) + 3);
  snprintf(out->display, dn, "%s://%s%s%.*s%s", scheme, dispuser ? dispuser : "",
           dispuser ? "@" : "", (int)hlen, hostp, path);
  free(host);
  free(user);
  free(dispuser);
  out->kind = GSYNC_URL_NETWORK;
  out->fetch_url = strdup(u);
  return out->fetch_url ? 0 : set_oom(err);
}

static int parse_local(const char *path, const char *orig, gsync_url *out, gsync_error *err) {
  char abs[PATH_MAX];
  if (!*path) return gsync__set(err, GSYNC_EINVALID, "empty repository path in URL \"%s\"", orig);
  if (!realpath(path, abs)) {
    if (path[0] == '/') {
      snprintf(abs, sizeof(abs), "%s", path);
    } else {
      char cwd[PATH_MAX];
      if (!getcwd(cwd, sizeof(cwd)))
        return gsync__set(err, GSYNC_EIO, "cannot determine current directory");
      if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >= sizeof(abs))
        return gsync__set(err, GSYNC_EINVALID, "path too long: %s", orig);
    }
    strip_trailing_slashes(abs);
  }
  size_t n = strlen(abs) + 8;
  out->kind = GSYNC_URL_LOCAL;
  out->local_path = strdup(abs);
  out->fetch_url = strdup(abs);
  out->display = strdup(orig);
  out->normalized = malloc(n);
  if (!out->local_path || !out->fetch_url || !out->display || !out->normalized) return set_oom(err);
  snprintf(out->normalized, n, "file://%s", abs);
  return 0;
}

int gsync__url_parse(const char *url, gsync_url *out, gsync_error *err) {
  memset(out, 0, sizeof(*out));
  if (!url) return gsync__set(err, GSYNC_EINVALID, "repository URL is required");
  char *u = trimmed_dup(url);
  if (!u) return set_oom(err);
  int rc;
  if (!*u) {
    rc = gsync__set(err, GSYNC_EINVALID, "repository URL is empty");
  } else if (strncasecmp(u, "file://", 7) == 0) {
    char *p = u + 7;
    /* file://localhost/path */
    if (strncasecmp(p, "localhost/", 10) == 0) p += 9;
    if (*p != '/')
      rc = gsync__set(err, GSYNC_EINVALID, "file URL must have an absolute path: \"%s\"", u);
    else
      rc = parse_local(p, u, out, err);
  } else if (strstr(u, "://")) {
    rc = parse_scheme_url(u, out, err);
  } else if (u[0] != '/' && u[0] != '.' && is_scp_like(u)) {
    /* [user@]host:path -> ssh */
    char *colon = strchr(u, ':');
    char *at = memchr(u, '@', (size_t)(colon - u));
    const char *host = at ? at + 1 : u;
    size_t hlen = (size_t)(colon - host);
    size_t n = strlen(u) + 16;
    out->kind = GSYNC_URL_NETWORK;
    out->fetch_url = strdup(u);
    out->display = strdup(u);
    out->normalized = malloc(n);
    if (!out->fetch_url || !out->display || !out->normalized) {
      rc = set_oom(err);
    } else {
      snprintf(out->normalized, n, "scp://%.*s:%s", (int)hlen, host, colon + 1);
      lower(out->normalized + 6, hlen);
      strip_trailing_slashes(out->normalized);
      rc = 0;
    }
  } else {
    rc = parse_local(u, u, out, err);
  }
  free(u);
  if (rc == 0 && gsync__sha256_hex(out->normalized, strlen(out->normalized), out->key) != 0)
    rc = gsync__set(err, GSYNC_EIO, "SHA-256 unavailable");
  if (rc != 0) gsync__url_dispose(out);
  return rc;
}

void gsync__url_dispose(gsync_url *u) {
  free(u->fetch_url);
  free(u->display);
  free(u->normalized);
  free(u->local_path);
  if (u->secret) {
    explicit_bzero(u->secret, strlen(u->secret));
    free(u->secret);
  }
  memset(u, 0, sizeof(*u));
}

int gsync_url_key(const char *url, char out[65], gsync_error *err) {
  gsync_url u;
  int rc = gsync__url_parse(url, &u, err);
  if (rc) return rc;
  memcpy(out, u.key, 65);
  gsync__url_dispose(&u);
  if (err) {
    err->code = 0;
    err->message[0] = 0;
  }
  return 0;
}
