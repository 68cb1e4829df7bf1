/* tmpl_driver CHARTDIR [RELEASE]
 *
 * A tiny stand-in for `helm template RELEASE CHARTDIR` over the gotmpl
 * engine, for the oracle tests in tests/gotmpl/run.sh: loads Chart.yaml,
 * values.yaml and templates/ (no subcharts), parses every template into one
 * set in Helm's order, renders the non-partial ones and prints
 * "---\n# Source: NAME\n" + output for each non-empty one (sorted by name).
 * Errors are printed like Helm: "Error: MSG" on stderr, exit 1.
 * Options (env): TMPL_SEED=N fixes randomness. */
#include "engine/gotmpl/gotmpl.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (n + 4096 > cap) {
			cap *= 2;
			b = realloc(b, cap);
		}
		size_t r = fread(b + n, 1, 4096, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	b[n] = 0;
	*len = n;
	return b;
}

static const char *default_api_versions[] = {
	"v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
	"admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1",
	"apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1", "autoscaling/v2",
	"autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
	"certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
	"coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
	"events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1", "flowcontrol.apiserver.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
	"flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1alpha1",
	"networking.k8s.io/v1beta1", "node.k8s.io/v1", "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1",
	"policy/v1beta1", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3",
	"scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1",
	"storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storagemigration.k8s.io/v1alpha1",
	"apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1"};

static int count_slash(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '/';
	return n;
}

/* Helm's sortTemplates: deeper paths first, then reverse lexical */
static int by_path_len_rev(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int cx = count_slash(x), cy = count_slash(y);
	if (cx != cy)
		return cy - cx;
	return -strcmp(x, y);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static cJSON *yaml_file_as_json(tmpl_heap *h, const char *path)
{
	size_t n;
	char *s = slurp(path, &n);
	if (!s)
		return NULL;
	tmpl_error e;
	tmpl_value *v = tmpl_from_yaml(h, s, n, &e);
	free(s);
	if (!v) {
		fprintf(stderr, "Error: %s: %s\n", path, e.msg);
		exit(1);
	}
	return tmpl_to_cjson(v);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tmpl_driver CHARTDIR [RELEASE]\n");
		return 2;
	}
	const char *dir = argv[1];
	const char *rel = argc > 2 ? argv[2] : "x";
	tmpl_heap *h = tmpl_heap_new(0);
	char path[4096];
	snprintf(path, sizeof path, "%s/Chart.yaml", dir);
	cJSON *chart = yaml_file_as_json(h, path);
	if (!chart) {
		fprintf(stderr, "Error: no Chart.yaml\n");
		return 1;
	}
	const cJSON *cn = cJSON_GetObjectItemCaseSensitive(chart, "name");
	const char *cname = cJSON_IsString(cn) ? cn->valuestring : "x";
	snprintf(path, sizeof path, "%s/values.yaml", dir);
	size_t vn = 0;
	char *vtext = slurp(path, &vn);
	tmpl_value *values = NULL;
	if (vtext) {
		tmpl_error e;
		values = tmpl_from_yaml(h, vtext, vn, &e);
		if (!values) {
			fprintf(stderr, "Error: failed to parse %s: %s\n", path, e.msg);
			return 1;
		}
		free(vtext);
	}
	if (!values || tmpl_kind_of(values) != TMPL_MAP)
		values = tmpl_map(h);
	tmpl_set_type_name(values, "chartutil.Values");

	/* templates */
	snprintf(path, sizeof path, "%s/templates", dir);
	DIR *d = opendir(path);
	char *names[1024];
	char *texts[1024];
	size_t lens[1024];
	int nt = 0;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) && nt < 1024) {
			if (de->d_name[0] == '.')
				continue;
			char full[8192];
			snprintf(full, sizeof full, "%s/%s", path, de->d_name);
			size_t n;
			char *t = slurp(full, &n);
			if (!t)
				continue;
			char nm[4096];
			snprintf(nm, sizeof nm, "%s/templates/%s", cname, de->d_name);
			names[nt] = strdup(nm);
			texts[nt] = t;
			lens[nt] = n;
			nt++;
		}
		closedir(d);
	}
	/* sort names by Helm's parse order, keeping texts aligned */
	int order[1024];
	for (int i = 0; i < nt; i++)
		order[i] = i;
	for (int i = 1; i < nt; i++)
		for (int j = i; j > 0 && by_path_len_rev(&names[order[j]], &names[order[j - 1]]) < 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}

	tmpl_options o;
	memset(&o, 0, sizeof o);
	o.strip_no_value = 1;
	const char *seed = getenv("TMPL_SEED");
	if (seed)
		o.rand_seed = strtoull(seed, NULL, 10);
	tmpl_set *set = tmpl_set_new(&o);
	tmpl_error err;
	for (int k = 0; k < nt; k++) {
		int i = order[k];
		if (tmpl_set_parse(set, names[i], texts[i], lens[i], &err) != 0) {
			char m[TMPL_ERROR_MAX + 64];
			tmpl_helm_error_message(&err, m, sizeof m);
			fprintf(stderr, "Error: %s\n", m);
			return 1;
		}
	}

	/* top-level data */
	tmpl_value *top = tmpl_map(h);
	tmpl_set_type_name(top, "chartutil.Values");
	tmpl_map_set(top, "Values", values);
	tmpl_value *release = tmpl_map(h);
	tmpl_map_set(release, "Name", tmpl_string(h, rel));
	tmpl_map_set(release, "Namespace", tmpl_string(h, "default"));
	tmpl_map_set(release, "IsUpgrade", tmpl_bool(h, 0));
	tmpl_map_set(release, "IsInstall", tmpl_bool(h, 1));
	tmpl_map_set(release, "Revision", tmpl_int(h, 1));
	tmpl_map_set(release, "Service", tmpl_string(h, "Helm"));
	tmpl_map_set(top, "Release", release);
	tmpl_map_set(top, "Chart", tmpl_chart_metadata_from_cjson(h, chart));
	tmpl_capabilities_info ci = {0};
	ci.kube_version = "v1.32.0";
	ci.api_versions = default_api_versions;
	ci.n_api_versions = sizeof default_api_versions / sizeof *default_api_versions;
	tmpl_map_set(top, "Capabilities", tmpl_capabilities_new(h, &ci));
	/* .Files: every file of the chart except templates/, Chart.yaml, values.yaml */
	{
		const char *fn[256];
		const char *fd[256];
		size_t fl[256];
		size_t nf = 0;
		char fdir[4096];
		snprintf(fdir, sizeof fdir, "%s/files", dir);
		DIR *dd = opendir(fdir);
		if (dd) {
			struct dirent *de;
			while ((de = readdir(dd)) && nf < 256) {
				if (de->d_name[0] == '.')
					continue;
				char full[8192], nm[4096];
				snprintf(full, sizeof full, "%s/%s", fdir, de->d_name);
				snprintf(nm, sizeof nm, "files/%s", de->d_name);
				size_t n;
				char *t = slurp(full, &n);
				if (!t)
					continue;
				fn[nf] = strdup(nm);
				fd[nf] = t;
				fl[nf] = n;
				nf++;
			}
			closedir(dd);
		}
		tmpl_map_set(top, "Files", tmpl_files_new(h, fn, fd, fl, nf));
	}
	tmpl_map_set(top, "Subcharts", tmpl_map(h));

	/* render in parse order, print sorted by name */
	char *out_names[1024];
	char *outs[1024];
	int no = 0;
	for (int k = 0; k < nt; k++) {
		int i = order[k];
		const char *base = strrchr(names[i], '/') + 1;
		if (base[0] == '_')
			continue;
		tmpl_value *tv = tmpl_map(h);
		tmpl_set_type_name(tv, "chartutil.Values");
		tmpl_map_set(tv, "Name", tmpl_string(h, names[i]));
		char bp[4096];
		snprintf(bp, sizeof bp, "%s/templates", cname);
		tmpl_map_set(tv, "BasePath", tmpl_string(h, bp));
		tmpl_map_set(top, "Template", tv);
		tmpl_buf out = {0};
		if (tmpl_set_execute(set, names[i], top, h, &out, &err) != 0) {
			char m[TMPL_ERROR_MAX + 64];
			tmpl_helm_error_message(&err, m, sizeof m);
			fprintf(stderr, "Error: %s\n", m);
			return 1;
		}
		if (strcmp(base, "NOTES.txt") == 0) {
			tmpl_buf_free(&out);
			continue;
		}
		out_names[no] = names[i];
		outs[no] = out.data ? out.data : strdup("");
		no++;
	}
	int idx[1024];
	for (int i = 0; i < no; i++)
		idx[i] = i;
	for (int i = 1; i < no; i++)
		for (int j = i; j > 0 && strcmp(out_names[idx[j]], out_names[idx[j - 1]]) < 0; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	(void)cmpstr;
	for (int k = 0; k < no; k++) {
		int i = idx[k];
		const char *s = outs[i];
		/* skip whitespace-only output, as Helm does */
		const char *p = s;
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			continue;
		printf("---\n# Source: %s\n%s\n", out_names[i], s);
	}
	cJSON_Delete(chart);
	tmpl_set_free(set);
	tmpl_heap_free(h);
	return 0;
}
