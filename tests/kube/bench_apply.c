/* bench_apply KUBECONFIG DIR: server-side apply every object of DIR/\*.yaml
 * with the kube engine (as one set), print one JSON line with the wall time
 * and the client's request counters.  Built and run by tests/kube/bench_apply. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/kube/kube.h"
#include "engine/manifest/manifest.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int yaml_file(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return n > 5 && !strcmp(d->d_name + n - 5, ".yaml");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KUBECONFIG DIR\n", argv[0]);
    return 2;
  }
  double t0 = now();
  struct dirent **ents;
  int ne = scandir(argv[2], &ents, yaml_file, by_name);
  if (ne < 0) {
    perror(argv[2]);
    return 1;
  }
  mf_docs docs = {0};
  for (int i = 0; i < ne; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", argv[2], ents[i]->d_name);
    free(ents[i]);
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[65536];
    size_t r;
    while (f && (r = fread(chunk, 1, sizeof(chunk), f)) > 0)
      fwrite(chunk, 1, r, m);
    if (f) fclose(f);
    fclose(m);
    mf_error me;
    if (mf_parse(buf, len, path, &docs, &me)) {
      fprintf(stderr, "%s:%d: %s\n", path, me.line, me.message);
      return 1;
    }
    free(buf);
  }
  free(ents);
  const cJSON **objs = calloc(docs.count ? docs.count : 1, sizeof(cJSON *));
  for (size_t i = 0; i < docs.count; i++)
    objs[i] = docs.items[i].obj;
  char *paths[] = {argv[1], NULL};
  kube_settings s = {.config_paths = paths};
  kube_client *c;
  kube_error e;
  if (kube_client_new(&s, NULL, &c, &e)) {
    fprintf(stderr, "%s\n", e.message);
    return 1;
  }
  kube_apply_report rep;
  int rc = kube_apply(c, objs, docs.count, NULL, &rep, &e);
  double wall = now() - t0;
  kube_stats st;
  kube_client_stats(c, &st);
  printf("{\"objects\":%zu,\"wall\":%.3f,\"created\":%zu,\"configured\":%zu,\"unchanged\":%zu,"
         "\"failed\":%zu,\"requests\":%llu,\"patches\":%llu,\"gets\":%llu,\"lists\":%llu,"
         "\"discovery\":%llu}\n",
         docs.count, wall, rep.created, rep.configured, rep.unchanged, rep.failed,
         (unsigned long long)st.requests, (unsigned long long)st.patches,
         (unsigned long long)st.gets, (unsigned long long)st.lists,
         (unsigned long long)st.discovery);
  if (rc) fprintf(stderr, "apply: %s\n", e.message);
  kube_apply_report_clear(&rep);
  kube_client_free(c);
  free(objs);
  mf_docs_free(&docs);
  return rc ? 1 : 0;
}
