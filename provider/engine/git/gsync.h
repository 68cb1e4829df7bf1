/*
 * gsync — embedded Git-sync engine (libgit2 1.5).
 *
 * Keeps one bare mirror per remote URL in a cache directory, fetches it
 * incrementally, and resolves revisions (branch, tag, SHA, HEAD) to commits.
 * Independent of Terraform types.
 *
 * Error discipline (like libgit2): every int-returning function returns 0 on
 * success or a negative gsync_code, and, when `err` is non-NULL, fills it with
 * a human-readable message meant for end users (it includes the remote's or
 * libgit2's own message, never secrets).  Nothing here prints or exits.
 *
 * Threading: all functions are thread-safe.  A gsync_cache may be shared by
 * any number of threads; operations on the same URL are serialized by a
 * per-key mutex (threads) and flock() on DIR/<key>.lock (processes).
 *
 * Ownership: every pointer returned inside an output struct is heap memory
 * owned by that struct and released by its *_free / *_clear function.  Input
 * strings are only borrowed for the duration of the call.
 */
#ifndef GITOPS_ENGINE_GIT_GSYNC_H
#define GITOPS_ENGINE_GIT_GSYNC_H

#include <stdatomic.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gsync_code {
  GSYNC_OK = 0,
  GSYNC_EINVALID = -1,     /* bad argument (URL, revision syntax, path) */
  GSYNC_ENOTFOUND = -2,    /* unknown revision / path / commit */
  GSYNC_EAMBIGUOUS = -3,   /* short SHA matches several objects */
  GSYNC_EAUTH = -4,        /* missing or rejected credentials */
  GSYNC_ENETWORK = -5,     /* unreachable, refused, DNS, timeout */
  GSYNC_ENOTREPO = -6,     /* URL is not a git repository */
  GSYNC_ECANCELLED = -7,   /* cancelled through gsync_options.cancel */
  GSYNC_EIO = -8,          /* local cache problem (disk, permissions) */
  GSYNC_ECERTIFICATE = -9, /* TLS certificate / SSH host key rejected */
  GSYNC_ETOOBIG = -10,     /* gsync_read_tree limits exceeded */
  GSYNC_EGIT = -11,        /* other libgit2 failure (message has details) */
  GSYNC_ENOMEM = -12
} gsync_code;

#define GSYNC_ERROR_MAX 1024

/* Caller-provided error sink; no heap memory, nothing to free. */
typedef struct gsync_error {
  int code;                      /* same value as the return code */
  char message[GSYNC_ERROR_MAX]; /* NUL-terminated, "" when code==0 */
} gsync_error;

/* Short symbolic name of a code, e.g. "GSYNC_ENOTFOUND" (static string). */
const char *gsync_strerror(int code);

/*
 * Library lifetime.  Reference counted and thread-safe: every successful
 * gsync_global_init() must be paired with gsync_global_shutdown().
 * gsync_cache_open() takes its own reference, so calling these explicitly is
 * only needed for functions that do not take a cache.
 * Initialization wraps git_libgit2_init() and installs gsync's socket stream
 * (timeouts + cancellation) for all libgit2 network transports.
 */
int gsync_global_init(void);
void gsync_global_shutdown(void);

/* --------------------------------------------------------------------- */
/* Credentials                                                            */

/*
 * All fields are optional, heap-allocated (strdup) and owned by the struct;
 * release with gsync_credentials_clear() (which wipes secrets).
 */
typedef struct gsync_credentials {
  char *username;
  char *password;        /* password or token */
  char *ssh_private_key; /* PEM / OpenSSH private key text */
  char *ssh_public_key;  /* optional public key text */
  char *ssh_known_hosts; /* known_hosts text; NULL: libgit2 default (~/.ssh/known_hosts) */
  int insecure_skip_tls_verify;
} gsync_credentials;

/*
 * Fill fields that are still NULL from the environment:
 *   GITOPS_GIT_USERNAME, GITOPS_GIT_PASSWORD, GITOPS_GIT_TOKEN (used as the
 *   password when no password is set; a token alone implies the username
 *   "x-access-token"), GITOPS_GIT_SSH_PRIVATE_KEY, GITOPS_GIT_SSH_PRIVATE_KEY_FILE
 *   (read, leading "~/" expanded), GITOPS_GIT_SSH_KNOWN_HOSTS.
 * Returns GSYNC_EINVALID if the key file cannot be read.
 */
int gsync_credentials_from_env(gsync_credentials *creds, gsync_error *err);
void gsync_credentials_clear(gsync_credentials *creds);

/* --------------------------------------------------------------------- */
/* Cache                                                                  */

typedef struct gsync_cache gsync_cache;

/*
 * Open (creating it, mode 0700, with parents) the cache directory `dir`
 * ("~/" is expanded from $HOME).  *out must be released with gsync_cache_free
 * after all operations using it have returned.
 */
int gsync_cache_open(const char *dir, gsync_cache **out, gsync_error *err);
void gsync_cache_free(gsync_cache *cache);
/* Absolute cache directory (owned by the cache). */
const char *gsync_cache_dir(const gsync_cache *cache);

/*
 * Key of a URL: lowercase hex SHA-256 of its normalized form (scheme and host
 * lowercased, user info and default port dropped, trailing '/' removed, local
 * paths made absolute as file:// URLs).  The mirror of the URL lives at
 * DIR/<key>.git and its inter-process lock at DIR/<key>.lock.
 */
int gsync_url_key(const char *url, char out[65], gsync_error *err);

/* --------------------------------------------------------------------- */
/* Options                                                                */

typedef struct gsync_options {
  /*
   * Upper bound, in seconds, for the whole call: waiting for the mirror
   * lock, DNS, connecting, and transferring.  0 means 60.  On expiry the
   * call returns GSYNC_ENETWORK (or GSYNC_EIO for lock waits) promptly.
   */
  unsigned timeout_sec;
  /* Optional; when another thread stores non-zero, the call returns
   * GSYNC_ECANCELLED within ~0.2 s. */
  const atomic_int *cancel;
  /* Optional; borrowed for the duration of the call. */
  const gsync_credentials *creds;
} gsync_options;

#define GSYNC_DEFAULT_TIMEOUT_SEC 60u

/* --------------------------------------------------------------------- */
/* Resolve                                                                */

typedef struct gsync_commit {
  char sha[41];      /* full hex SHA-1 */
  char short_sha[8]; /* first 7 hex digits */
  char *message;     /* full commit message, trailing newlines removed */
  char *author;      /* "Name <email>" */
  char *time;        /* committer time, RFC 3339 UTC "2026-11-26T11:05:16Z" */
  char *ref;         /* full ref the revision came from ("refs/heads/main",
                        "refs/tags/v1"); "" for a SHA */
} gsync_commit;

/*
 * Bring the mirror of `url` up to date and resolve `revision`:
 *   NULL/""/"HEAD"   the remote's default branch
 *   "refs/..."       exact ref name
 *   40 hex           a commit SHA (no network fetch if already cached)
 *   name             tag refs/tags/<name>, else branch refs/heads/<name>
 *                    (same precedence as git); "heads/x", "tags/x" accepted
 *   4..39 hex        unique abbreviated SHA (GSYNC_EAMBIGUOUS otherwise)
 * Annotated tags are peeled to their commit.  `opts` may be NULL (defaults).
 * On success *out is filled and must be released with gsync_commit_free.
 * URLs: file://..., local paths, git://, http(s)://, ssh://, user@host:path.
 * Notes: the mirror fetches every branch and tag (refspecs +refs/heads/STAR and
 * +refs/tags/STAR onto themselves) with pruning; git's url.*.insteadOf rewriting is
 * not applied; HTTP proxies come from the environment/git config
 * (GIT_PROXY_AUTO); SSH host keys are checked against creds->ssh_known_hosts
 * when set, else libgit2's default (~/.ssh/known_hosts).
 * Errors: ENOTFOUND/EAMBIGUOUS (revision), ENOTREPO, EAUTH, ECERTIFICATE,
 * ENETWORK (incl. timeouts), ECANCELLED, EIO (cache, lock-wait timeout),
 * EINVALID (URL/revision syntax).
 */
int gsync_resolve(gsync_cache *cache, const char *url, const char *revision,
                  const gsync_options *opts, gsync_commit *out, gsync_error *err);
void gsync_commit_free(gsync_commit *commit);

/* --------------------------------------------------------------------- */
/* Tree reading                                                           */

#define GSYNC_MODE_FILE 0100644u
#define GSYNC_MODE_EXEC 0100755u
#define GSYNC_MODE_SYMLINK 0120000u

typedef struct gsync_file {
  char *path;          /* path from the repository root, '/'-separated */
  const char *rel;     /* points into `path`: relative to the requested dir */
  unsigned char *data; /* blob content (NUL-terminated for convenience);
                          for a symlink: its target text, never followed */
  size_t size;
  unsigned mode; /* GSYNC_MODE_FILE, GSYNC_MODE_EXEC, GSYNC_MODE_SYMLINK */
} gsync_file;

typedef struct gsync_tree {
  gsync_file *files; /* sorted by path */
  size_t count;
} gsync_tree;

typedef struct gsync_tree_limits {
  size_t max_files;       /* 0: 10000 */
  size_t max_total_bytes; /* 0: 64 MiB */
} gsync_tree_limits;

/*
 * List the regular files and symlinks under `path` ("" or "." for the root;
 * a file path yields that single file) of commit `sha` (40 hex), which must be
 * present in the mirror of `url` (resolve it first; no network access here).
 * Submodules are skipped; symlinks are reported, never followed; a `path`
 * that goes through a symlink or contains ".." is GSYNC_EINVALID.  Exceeding
 * `limits` (NULL: defaults) is GSYNC_ETOOBIG.  `opts` only bounds the lock
 * wait (timeout/cancel).  Release *out with gsync_tree_free.
 */
int gsync_read_tree(gsync_cache *cache, const char *url, const char *sha, const char *path,
                    const gsync_tree_limits *limits, const gsync_options *opts, gsync_tree *out,
                    gsync_error *err);
void gsync_tree_free(gsync_tree *tree);

#ifdef __cplusplus
}
#endif

#endif
