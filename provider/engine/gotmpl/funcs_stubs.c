/* Function tables not yet implemented (filled in by their own files). */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>



int toml_emit(sb *b, const tval *v, char *errbuf, size_t errcap)
{
	(void)b;
	(void)v;
	snprintf(errbuf, errcap, "toToml is not supported");
	return -1;
}

void ts_to_rfc3339(sb *o, const char *s, size_t n) { sb_putn(o, s, n); }

