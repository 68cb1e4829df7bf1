/* Credentials: environment defaults, libgit2 credential and certificate
 * callbacks (userpass, SSH key from memory, known_hosts text). */
#include "engine/git/gsync_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CRED_ATTEMPTS 2
#define MAX_KEY_FILE (256 * 1024)

static void wipe_free(char *s) {
  if (!s) return;
  explicit_bzero(s, strlen(s));
  free(s);
}

void gsync_credentials_clear(gsync_credentials *c) {
  if (!c) return;
  wipe_free(c->username);
  wipe_free(c->password);
  wipe_free(c->ssh_private_key);
  wipe_free(c->ssh_public_key);
  wipe_free(c->ssh_known_hosts);
  memset(c, 0, sizeof(*c));
}

static int env_fill(char **field, const char *name) {
  if (*field) return 0;
  const char *v = getenv(name);
  if (!v || !*v) return 0;
  *field = strdup(v);
  return *field ? 1 : -1;
}

static int read_small_file(const char *path, char **out, gsync_error *err, const char *what) {
  char *p = gsync__expand_home(path);
  if (!p) return gsync__set(err, GSYNC_EINVALID, "cannot expand %s path %s", what, path);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    gsync__set(err, GSYNC_EINVALID, "cannot read %s %s: %s", what, p, strerror(e));
    free(p);
    return GSYNC_EINVALID;
  }
  char *buf = malloc(MAX_KEY_FILE + 1);
  size_t len = 0;
  ssize_t n = 0;
  while (buf && len < MAX_KEY_FILE && (n = read(fd, buf + len, MAX_KEY_FILE - len)) > 0)
    len += (size_t)n;
  close(fd);
  if (!buf) {
    free(p);
    return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  }
  if (n < 0 || len >= MAX_KEY_FILE) {
    gsync__set(err, GSYNC_EINVALID, "cannot read %s %s: %s", what, p,
               n < 0 ? strerror(errno) : "file too large");
    explicit_bzero(buf, len);
    free(buf);
    free(p);
    return GSYNC_EINVALID;
  }
  buf[len] = 0;
  free(p);
  *out = buf;
  return 0;
}

int gsync_credentials_from_env(gsync_credentials *c, gsync_error *err) {
  if (!c) return gsync__set(err, GSYNC_EINVALID, "credentials struct is NULL");
  int had_user = c->username != NULL, had_pass = c->password != NULL;
  if (env_fill(&c->username, "GITOPS_GIT_USERNAME") < 0 ||
      env_fill(&c->password, "GITOPS_GIT_PASSWORD") < 0)
    return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  int from_token = 0;
  if (!c->password) {
    int r = env_fill(&c->password, "GITOPS_GIT_TOKEN");
    if (r < 0) return gsync__set(err, GSYNC_ENOMEM, "out of memory");
    from_token = r == 1;
  }
  (void)had_pass;
  if (from_token && !had_user && !c->username) {
    c->username = strdup("x-access-token");
    if (!c->username) return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  }
  if (!c->ssh_private_key) {
    if (env_fill(&c->ssh_private_key, "GITOPS_GIT_SSH_PRIVATE_KEY") < 0)
      return gsync__set(err, GSYNC_ENOMEM, "out of memory");
    const char *f = getenv("GITOPS_GIT_SSH_PRIVATE_KEY_FILE");
    if (!c->ssh_private_key && f && *f) {
      int rc = read_small_file(f, &c->ssh_private_key, err,
                               "SSH private key file (GITOPS_GIT_SSH_PRIVATE_KEY_FILE)");
      if (rc) return rc;
    }
  }
  if (env_fill(&c->ssh_known_hosts, "GITOPS_GIT_SSH_KNOWN_HOSTS") < 0)
    return gsync__set(err, GSYNC_ENOMEM, "out of memory");
  if (err) {
    err->code = 0;
    err->message[0] = 0;
  }
  return 0;
}

/* ------------------------------------------------------------------ */

static int ssh_key_cred(git_credential **out, gsync_op *op, const char *user,
                        unsigned int allowed) {
  const gsync_credentials *c = op->creds;
  if ((allowed & GIT_CREDENTIAL_SSH_MEMORY) &&
      git_credential_ssh_key_memory_new(out, user, c->ssh_public_key, c->ssh_private_key, NULL) ==
          0)
    return 0;
  if (!(allowed & GIT_CREDENTIAL_SSH_KEY)) return -1;
  /* libgit2 built without in-memory keys: use a private temp file that is
   * removed when the operation ends. */
  if (!op->keyfile[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(op->keyfile, sizeof(op->keyfile), "%s/gsync-key-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(op->keyfile);
    if (fd < 0) {
      op->keyfile[0] = 0;
      return -1;
    }
    fchmod(fd, 0600);
    size_t len = strlen(c->ssh_private_key), off = 0;
    while (off < len) {
      ssize_t n = write(fd, c->ssh_private_key + off, len - off);
      if (n <= 0) break;
      off += (size_t)n;
    }
    close(fd);
    if (off != len) return -1;
  }
  return git_credential_ssh_key_new(out, user, NULL, op->keyfile, NULL);
}

int gsync__cred_cb(git_credential **out, const char *url, const char *username_from_url,
                   unsigned int allowed, void *payload) {
  gsync_op *op = payload;
  (void)url;
  if (gsync__op_should_stop(op)) return GIT_EUSER;
  const gsync_credentials *c = op->creds;
  static const gsync_credentials none;
  if (!c) c = &none;

  if (allowed == GIT_CREDENTIAL_USERNAME) {
    const char *u = username_from_url && *username_from_url ? username_from_url
                    : c->username && *c->username           ? c->username
                                                            : "git";
    return git_credential_username_new(out, u);
  }

  if (++op->cred_calls > MAX_CRED_ATTEMPTS) {
    op->auth_failed = 1;
    git_error_set_str(GIT_ERROR_NET, "the server rejected the credentials");
    return GIT_EAUTH;
  }

  int ssh_ok = (git_libgit2_features() & GIT_FEATURE_SSH) != 0;
  if (ssh_ok && (allowed & (GIT_CREDENTIAL_SSH_MEMORY | GIT_CREDENTIAL_SSH_KEY)) &&
      c->ssh_private_key && *c->ssh_private_key) {
    const char *u = username_from_url && *username_from_url ? username_from_url
                    : c->username && *c->username           ? c->username
                                                            : "git";
    if (ssh_key_cred(out, op, u, allowed) == 0) return 0;
    git_error_set_str(GIT_ERROR_SSH, "could not load the configured SSH private key");
    op->auth_failed = 1;
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && c->password && *c->password) {
    const char *u = c->username && *c->username               ? c->username
                    : username_from_url && *username_from_url ? username_from_url
                                                              : "x-access-token";
    return git_credential_userpass_plaintext_new(out, u, c->password);
  }
  if (op->cred_calls == 1 && !op->url_secret) {
    op->auth_missing = 1;
    git_error_set_str(GIT_ERROR_NET,
                      "authentication required but no usable credentials are configured");
  } else {
    op->auth_failed = 1;
    git_error_set_str(GIT_ERROR_NET, "the server rejected the credentials");
  }
  return GIT_EAUTH;
}

/* ------------------------------------------------------------------ */
/* known_hosts                                                         */

static int b64dec(const char *in, size_t inlen, unsigned char **out, size_t *outlen) {
  unsigned char *buf = malloc(inlen / 4 * 3 + 4);
  if (!buf) return -1;
  int n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)inlen);
  if (n < 0) {
    free(buf);
    return -1;
  }
  /* EVP_DecodeBlock keeps padding bytes as zeros */
  size_t len = (size_t)n;
  for (size_t i = inlen; i > 0 && in[i - 1] == '='; i--)
    len--;
  *out = buf;
  *outlen = len;
  return 0;
}

static int host_matches(const char *pattern, size_t plen, const char *host) {
  char pat[512];
  if (plen == 0 || plen >= sizeof(pat)) return 0;
  memcpy(pat, pattern, plen);
  pat[plen] = 0;
  if (!strncmp(pat, "|1|", 3)) {
    /* hashed: |1|base64(salt)|base64(hmac-sha1(salt, host)) */
    char *bar = strchr(pat + 3, '|');
    if (!bar) return 0;
    unsigned char *salt = NULL, *want = NULL;
    size_t saltlen = 0, wantlen = 0;
    int ok = 0;
    if (b64dec(pat + 3, (size_t)(bar - pat - 3), &salt, &saltlen) == 0 &&
        b64dec(bar + 1, strlen(bar + 1), &want, &wantlen) == 0 && wantlen == 20) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int mdlen = 0;
      if (HMAC(EVP_sha1(), salt, (int)saltlen, (const unsigned char *)host, strlen(host), md,
               &mdlen) &&
          mdlen == 20 && !memcmp(md, want, 20))
        ok = 1;
    }
    free(salt);
    free(want);
    return ok;
  }
  int neg = pat[0] == '!';
  const char *p = neg ? pat + 1 : pat;
  int m = 0;
  if (p[0] == '[') {
    /* [host]:port -- libgit2 does not give us the port; match the host */
    const char *rb = strchr(p, ']');
    if (rb) {
      char h[512];
      snprintf(h, sizeof(h), "%.*s", (int)(rb - p - 1), p + 1);
      m = strcasecmp(h, host) == 0;
    }
  } else {
    m = fnmatch(p, host, FNM_CASEFOLD) == 0;
  }
  return neg ? -m : m;
}

/* 1: key matches an entry for host; 0: no entry matches. */
static int known_hosts_check(const char *text, const char *host, const unsigned char *key,
                             size_t keylen) {
  const char *line = text;
  while (line && *line) {
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    const char *p = line, *end = line + len;
    line = eol ? eol + 1 : NULL;
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
    if (p >= end || *p == '#' || *p == '@') /* comments, @cert-authority/@revoked */
      continue;
    const char *hosts = p;
    while (p < end && *p != ' ' && *p != '\t')
      p++;
    const char *hosts_end = p;
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
    while (p < end && *p != ' ' && *p != '\t') /* key type */
      p++;
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
    const char *k = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
      p++;
    if (p == k) continue;
    int match = 0;
    for (const char *h = hosts; h < hosts_end;) {
      const char *comma = memchr(h, ',', (size_t)(hosts_end - h));
      const char *he = comma ? comma : hosts_end;
      int r = host_matches(h, (size_t)(he - h), host);
      if (r < 0) {
        match = 0;
        break;
      }
      if (r > 0) match = 1;
      h = comma ? comma + 1 : hosts_end;
    }
    if (!match) continue;
    unsigned char *dec = NULL;
    size_t declen = 0;
    if (b64dec(k, (size_t)(p - k), &dec, &declen) != 0) continue;
    int eq = declen == keylen && !memcmp(dec, key, keylen);
    free(dec);
    if (eq) return 1;
  }
  return 0;
}

int gsync__cert_cb(git_cert *cert, int valid, const char *host, void *payload) {
  gsync_op *op = payload;
  const gsync_credentials *c = op ? op->creds : NULL;
  if (gsync__op_should_stop(op)) return GIT_EUSER;
  if (cert->cert_type == GIT_CERT_X509) {
    if (valid) return 0;
    if (c && c->insecure_skip_tls_verify) return 0;
    op->cert_failed = 1;
    snprintf(op->cert_msg, sizeof(op->cert_msg),
             "TLS certificate of %s is not trusted (set insecure_skip_tls_verify only for "
             "testing)",
             host ? host : "server");
    git_error_set_str(GIT_ERROR_SSL, op->cert_msg);
    return GIT_ECERTIFICATE;
  }
  if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2 && c && c->ssh_known_hosts &&
      *c->ssh_known_hosts) {
    git_cert_hostkey *hk = (git_cert_hostkey *)cert;
    if ((hk->type & GIT_CERT_SSH_RAW) && hk->hostkey &&
        known_hosts_check(c->ssh_known_hosts, host ? host : "", (const unsigned char *)hk->hostkey,
                          hk->hostkey_len))
      return 0;
    op->cert_failed = 1;
    snprintf(op->cert_msg, sizeof(op->cert_msg),
             "SSH host key of %s does not match any entry of ssh_known_hosts", host ? host : "");
    git_error_set_str(GIT_ERROR_SSH, op->cert_msg);
    return GIT_ECERTIFICATE;
  }
  return valid ? 0 : GIT_PASSTHROUGH;
}
