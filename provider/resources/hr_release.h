/*
 * hr_release — pieces of gitops_helm_release that need no cluster:
 *   - Helm 3's release storage codec (Secret sh.helm.release.v1.NAME.vREV,
 *     data.release = base64(gzip(release JSON)), as pkg/storage/driver does);
 *   - building a release JSON from a loaded chart and a render;
 *   - Helm repository index.yaml chart version selection;
 *   - redaction of what plan output shows (Secret values, set_sensitive values).
 * Errors: functions return 0 or -1 and write a message to err (errcap bytes).
 */
#ifndef HR_RELEASE_H
#define HR_RELEASE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "engine/helm/helm.h"

#define HR_REDACTED "++++++++"

/* Standard base64 (with padding). Heap string / heap bytes (NUL-terminated);
 * decode skips whitespace and fails (NULL) on other bad input. */
char *hr_base64_encode(const unsigned char *data, size_t len);
unsigned char *hr_base64_decode(const char *s, size_t len, size_t *out_len);

/* Helm's encodeRelease: base64(gzip(JSON)). Heap string or NULL. */
char *hr_release_encode(const cJSON *release);
/* Helm's decodeRelease: base64, then gunzip when the gzip magic is there
 * (Helm accepts plain JSON too), then JSON. */
int hr_release_decode(const char *text, size_t len, cJSON **out, char *err, size_t errcap);

/* "sh.helm.release.v1.NAME.vREV" into buf. */
void hr_secret_name(const char *name, long revision, char *buf, size_t cap);
/* The storage Secret of a release (labels name, owner=helm, status, version,
 * modifiedAt; type helm.sh/release.v1; data.release = base64 of the encoded
 * release, as the API's Secret.data wants). NULL on OOM. */
cJSON *hr_release_secret(const cJSON *release, long modified_at_unix);
/* data.release of a storage Secret (as read from the API) decoded. */
int hr_release_from_secret(const cJSON *secret, cJSON **out, char *err, size_t errcap);

/* RFC 3339 with nanoseconds in UTC, as Go's time.Time marshals ("…Z"). */
void hr_time_now(char *buf, size_t cap);

/* The release JSON Helm stores (release.Release). chart: the loaded top chart
 * (sub-charts are not stored, as with Helm); config: the user-supplied values
 * (map; NULL = {}); r: the render (manifest, hooks, notes). */
cJSON *hr_release_build(const char *name, const char *ns, long revision, const char *status,
                        const char *description, const char *first_deployed,
                        const char *last_deployed, const helm_chart *chart,
                        const helm_value *config, const helm_release *r);
/* Shortcuts into a release JSON (borrowed; NULL when absent). */
const char *hr_release_str(const cJSON *rel, const char *dotted_path);
long hr_release_version(const cJSON *rel);
/* Sets info.status (and info.description when not NULL). */
int hr_release_set_status(cJSON *rel, const char *status, const char *description);

/* A chart version of a repository index. */
typedef struct hr_chart_version {
  char *version, *app_version, *url, *digest; /* url absolute (resolved against the repo) */
} hr_chart_version;
void hr_chart_version_clear(hr_chart_version *v);

/* Picks the version of `chart` in an index.yaml: an exact version string
 * wins; otherwise `constraint` (Masterminds semver range; NULL/"" = the
 * latest stable) → the highest matching version. repo_url resolves relative
 * chart URLs. */
int hr_index_select(const char *index_yaml, size_t len, const char *repo_url, const char *chart,
                    const char *constraint, hr_chart_version *out, char *err, size_t errcap);
/* Semver ordering of two versions (1.2.3[-pre][+build]): <0, 0, >0. Versions that
 * do not parse sort before those that do. */
int hr_semver_compare(const char *a, const char *b);

/* Redaction of an object shown in plan: a v1 Secret's data/stringData values
 * become HR_REDACTED; then any string in the object that contains one of the
 * sensitive values (non-empty) becomes HR_REDACTED too. */
void hr_redact_object(cJSON *obj, const char *const *sensitive, size_t n_sensitive);
/* Every occurrence of a sensitive value in text replaced by HR_REDACTED. Heap. */
char *hr_redact_text(const char *text, const char *const *sensitive, size_t n_sensitive);

#endif
