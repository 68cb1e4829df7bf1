/* gsync_read_tree: list files of a commit's tree from the mirror. */
#include "engine/git/gsync_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_FILES 10000
#define DEFAULT_MAX_BYTES (64u * 1024 * 1024)

typedef struct walk_ctx {
  git_repository *repo;
  gsync_tree *out;
  size_t cap;
  size_t total;
  size_t max_files, max_bytes;
  const char *base; /* requested dir ("" for root) */
  const char *sha;
  int rc;
  gsync_error *err;
} walk_ctx;

static int add_file(walk_ctx *w, const char *path, const git_tree_entry *e) {
  git_filemode_t fm = git_tree_entry_filemode(e);
  unsigned mode;
  switch (fm) {
  case GIT_FILEMODE_BLOB:
    mode = GSYNC_MODE_FILE;
    break;
  case GIT_FILEMODE_BLOB_EXECUTABLE:
    mode = GSYNC_MODE_EXEC;
    break;
  case GIT_FILEMODE_LINK:
    mode = GSYNC_MODE_SYMLINK;
    break;
  default:
    return 0; /* trees handled by walk; submodules skipped */
  }
  if (w->out->count >= w->max_files) {
    w->rc = gsync__set(w->err, GSYNC_ETOOBIG, "more than %zu files under \"%s\" in commit %s",
                       w->max_files, w->base[0] ? w->base : ".", w->sha);
    return -1;
  }
  git_blob *blob = NULL;
  if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) != 0) {
    w->rc = gsync__set(w->err, GSYNC_EGIT, "cannot read %s in commit %s: %s", path, w->sha,
                       gsync__git_msg());
    return -1;
  }
  git_object_size_t sz = git_blob_rawsize(blob);
  if (sz > w->max_bytes || w->total + sz > w->max_bytes) {
    git_blob_free(blob);
    w->rc = gsync__set(w->err, GSYNC_ETOOBIG,
                       "files under \"%s\" in commit %s exceed %zu bytes (at %s)",
                       w->base[0] ? w->base : ".", w->sha, w->max_bytes, path);
    return -1;
  }
  if (w->out->count == w->cap) {
    size_t nc = w->cap ? w->cap * 2 : 32;
    gsync_file *nf = realloc(w->out->files, nc * sizeof(*nf));
    if (!nf) goto oom;
    w->out->files = nf;
    w->cap = nc;
  }
  gsync_file *f = &w->out->files[w->out->count];
  memset(f, 0, sizeof(*f));
  f->path = strdup(path);
  f->data = malloc((size_t)sz + 1);
  if (!f->path || !f->data) {
    free(f->path);
    free(f->data);
    goto oom;
  }
  memcpy(f->data, git_blob_rawcontent(blob), (size_t)sz);
  f->data[sz] = 0;
  f->size = (size_t)sz;
  f->mode = mode;
  size_t bl = strlen(w->base);
  f->rel = bl == 0 ? f->path : (f->path[bl] == '/' ? f->path + bl + 1 : f->path + bl);
  w->out->count++;
  w->total += (size_t)sz;
  git_blob_free(blob);
  return 0;
oom:
  git_blob_free(blob);
  w->rc = gsync__set(w->err, GSYNC_ENOMEM, "out of memory");
  return -1;
}

static int walk_cb(const char *root, const git_tree_entry *e, void *payload) {
  walk_ctx *w = payload;
  if (git_tree_entry_type(e) == GIT_OBJECT_TREE) return 0;
  char path[4096];
  int n = snprintf(path, sizeof(path), "%s%s%s%s", w->base, w->base[0] ? "/" : "", root,
                   git_tree_entry_name(e));
  if (n < 0 || (size_t)n >= sizeof(path)) {
    w->rc = gsync__set(w->err, GSYNC_EINVALID, "path too long in commit %s", w->sha);
    return -1;
  }
  return add_file(w, path, e) < 0 ? -1 : 0;
}

static int cmp_file(const void *a, const void *b) {
  return strcmp(((const gsync_file *)a)->path, ((const gsync_file *)b)->path);
}

void gsync_tree_free(gsync_tree *t) {
  if (!t) return;
  for (size_t i = 0; i < t->count; i++) {
    free(t->files[i].path);
    free(t->files[i].data);
  }
  free(t->files);
  t->files = NULL;
  t->count = 0;
}

/* Normalize "./a//b/" -> "a/b"; reject "..". */
static int norm_path(const char *in, char *out, size_t cap, gsync_error *err) {
  size_t o = 0;
  const char *p = in ? in : "";
  while (*p) {
    while (*p == '/')
      p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != '/')
      p++;
    size_t l = (size_t)(p - s);
    if (l == 1 && s[0] == '.') continue;
    if (l == 2 && s[0] == '.' && s[1] == '.')
      return gsync__set(err, GSYNC_EINVALID, "path \"%s\" must not contain \"..\"", in);
    if (o + l + 2 > cap) return gsync__set(err, GSYNC_EINVALID, "path is too long");
    if (o) out[o++] = '/';
    memcpy(out + o, s, l);
    o += l;
  }
  out[o] = 0;
  return 0;
}

int gsync_read_tree(gsync_cache *c, const char *url, const char *sha, const char *path,
                    const gsync_tree_limits *limits, const gsync_options *opts, gsync_tree *out,
                    gsync_error *err) {
  if (err) {
    err->code = 0;
    err->message[0] = 0;
  }
  if (out) memset(out, 0, sizeof(*out));
  if (!c || !out || !sha)
    return gsync__set(err, GSYNC_EINVALID, "gsync_read_tree: cache, sha and out are required");
  size_t sl = strlen(sha);
  int hex = sl == 40;
  for (size_t i = 0; hex && i < sl; i++)
    hex = isxdigit((unsigned char)sha[i]) != 0;
  if (!hex)
    return gsync__set(err, GSYNC_EINVALID, "\"%s\" is not a full 40-character commit SHA", sha);
  char rel[4096];
  int rc = norm_path(path, rel, sizeof(rel), err);
  if (rc) return rc;

  git_repository *repo = NULL;
  void *lock = NULL;
  rc = gsync__open_mirror_locked(c, url, opts, &repo, &lock, err);
  if (rc) return rc;

  git_oid oid;
  git_commit *cm = NULL;
  git_tree *root = NULL, *sub = NULL;
  git_tree_entry *entry = NULL;
  walk_ctx w = {0};
  w.repo = repo;
  w.out = out;
  w.base = rel;
  w.sha = sha;
  w.err = err;
  w.max_files = limits && limits->max_files ? limits->max_files : DEFAULT_MAX_FILES;
  w.max_bytes = limits && limits->max_total_bytes ? limits->max_total_bytes : DEFAULT_MAX_BYTES;

  if (git_oid_fromstr(&oid, sha) != 0 || git_commit_lookup(&cm, repo, &oid) != 0) {
    rc = gsync__set(err, GSYNC_ENOTFOUND, "commit %s is not in the cache of %s (resolve it first)",
                    sha, url);
    goto done;
  }
  if (git_commit_tree(&root, cm) != 0) {
    rc = gsync__set(err, GSYNC_EGIT, "cannot read tree of commit %s: %s", sha, gsync__git_msg());
    goto done;
  }
  if (rel[0] == 0) {
    sub = root;
    root = NULL;
  } else {
    /* walk component by component so that symlinks are never traversed */
    char prefix[4096];
    size_t pl = 0;
    git_tree *cur = root;
    root = NULL;
    const char *p = rel;
    for (;;) {
      const char *slash = strchr(p, '/');
      size_t l = slash ? (size_t)(slash - p) : strlen(p);
      char name[1024];
      if (l >= sizeof(name)) {
        git_tree_free(cur);
        rc = gsync__set(err, GSYNC_EINVALID, "path component too long");
        goto done;
      }
      memcpy(name, p, l);
      name[l] = 0;
      pl += (size_t)snprintf(prefix + pl, sizeof(prefix) - pl, "%s%s", pl ? "/" : "", name);
      const git_tree_entry *te = git_tree_entry_byname(cur, name);
      if (!te) {
        git_tree_free(cur);
        rc = gsync__set(err, GSYNC_ENOTFOUND, "path \"%s\" not found in commit %s of %s", prefix,
                        sha, url);
        goto done;
      }
      git_filemode_t fm = git_tree_entry_filemode(te);
      if (fm == GIT_FILEMODE_LINK) {
        git_tree_free(cur);
        rc = gsync__set(err, GSYNC_EINVALID,
                        "path \"%s\" in commit %s is a symbolic link; links are not followed",
                        prefix, sha);
        goto done;
      }
      if (!slash) {
        if (fm == GIT_FILEMODE_TREE) {
          git_tree *next = NULL;
          if (git_tree_lookup(&next, repo, git_tree_entry_id(te)) != 0) {
            git_tree_free(cur);
            rc = gsync__set(err, GSYNC_EGIT, "cannot read %s: %s", prefix, gsync__git_msg());
            goto done;
          }
          git_tree_free(cur);
          sub = next;
        } else if (fm == GIT_FILEMODE_COMMIT) {
          git_tree_free(cur);
          rc = gsync__set(err, GSYNC_EINVALID, "path \"%s\" in commit %s is a submodule", prefix,
                          sha);
          goto done;
        } else {
          if (git_tree_entry_dup(&entry, te) != 0) entry = NULL;
          git_tree_free(cur);
          if (!entry) {
            rc = gsync__set(err, GSYNC_ENOMEM, "out of memory");
            goto done;
          }
          /* single file: rel is its base name */
          if (add_file(&w, rel, entry) < 0) {
            rc = w.rc;
            goto done;
          }
          out->files[0].rel = strrchr(out->files[0].path, '/')
                                  ? strrchr(out->files[0].path, '/') + 1
                                  : out->files[0].path;
        }
        break;
      }
      if (fm != GIT_FILEMODE_TREE) {
        git_tree_free(cur);
        rc = gsync__set(err, GSYNC_ENOTFOUND,
                        "path \"%s\" not found in commit %s of %s (\"%s\" is not a directory)", rel,
                        sha, url, prefix);
        goto done;
      }
      git_tree *next = NULL;
      if (git_tree_lookup(&next, repo, git_tree_entry_id(te)) != 0) {
        git_tree_free(cur);
        rc = gsync__set(err, GSYNC_EGIT, "cannot read %s: %s", prefix, gsync__git_msg());
        goto done;
      }
      git_tree_free(cur);
      cur = next;
      p = slash + 1;
    }
  }
  if (sub) {
    if (git_tree_walk(sub, GIT_TREEWALK_PRE, walk_cb, &w) != 0) {
      rc = w.rc ? w.rc
                : gsync__set(err, GSYNC_EGIT, "cannot walk tree of %s: %s", sha, gsync__git_msg());
      goto done;
    }
  }
  if (out->count > 1) qsort(out->files, out->count, sizeof(*out->files), cmp_file);
  rc = 0;
done:
  if (rc) gsync_tree_free(out);
  git_tree_entry_free(entry);
  git_tree_free(sub);
  git_tree_free(root);
  git_commit_free(cm);
  gsync__close_mirror_locked(c, repo, lock);
  return rc;
}
