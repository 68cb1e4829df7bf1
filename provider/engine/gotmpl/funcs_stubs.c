/* Function tables not yet implemented (filled in by their own files). */
#include "engine/gotmpl/tmpl_internal.h"

#include <stdio.h>



void ts_to_rfc3339(sb *o, const char *s, size_t n) { sb_putn(o, s, n); }

