package main

import (
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	yaml "gopkg.in/yaml.v3"
)

func yamlToCty(src string) (cty.Value, error) {
	var raw interface{}
	if err := yaml.Unmarshal([]byte(src), &raw); err != nil {
		return cty.NilVal, fmt.Errorf("on line %v: %s", "?", err)
	}
	j, err := json.Marshal(normalizeYAML(raw))
	if err != nil {
		return cty.NilVal, err
	}
	ty, err := ctyjson.ImpliedType(j)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(j, ty)
}

func normalizeYAML(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, e := range x {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case []interface{}:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	}
	return v
}

func ctyToYAML(v cty.Value) (string, error) {
	if !v.IsWhollyKnown() {
		return "", fmt.Errorf("value is not yet known")
	}
	j, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "", err
	}
	var raw interface{}
	if err := json.Unmarshal(j, &raw); err != nil {
		return "", err
	}
	out, err := yaml.Marshal(raw)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
