package main

// terraform.tfstate (format version 4) and workspaces.

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type stateFile struct {
	Version          int                    `json:"version"`
	TerraformVersion string                 `json:"terraform_version"`
	Serial           int64                  `json:"serial"`
	Lineage          string                 `json:"lineage"`
	Outputs          map[string]stateOutput `json:"outputs"`
	Resources        []*stateResource       `json:"resources"`
	CheckResults     interface{}            `json:"check_results"`
}

type stateOutput struct {
	Value     json.RawMessage `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

type stateResource struct {
	Module    string           `json:"module,omitempty"`
	Mode      string           `json:"mode"`
	Type      string           `json:"type"`
	Name      string           `json:"name"`
	EachMode  string           `json:"each,omitempty"`
	Provider  string           `json:"provider"`
	Instances []*stateInstance `json:"instances"`
}

type stateInstance struct {
	IndexKey            interface{}     `json:"index_key,omitempty"`
	Status              string          `json:"status,omitempty"`
	Deposed             string          `json:"deposed,omitempty"`
	SchemaVersion       int64           `json:"schema_version"`
	Attributes          json.RawMessage `json:"attributes,omitempty"`
	SensitiveAttributes json.RawMessage `json:"sensitive_attributes"`
	Private             []byte          `json:"private,omitempty"`
	Dependencies        []string        `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool            `json:"create_before_destroy,omitempty"`
}

// ---- in-memory state ---------------------------------------------------------

type InstanceObj struct {
	Value         cty.Value // decoded (after upgrade) value; cty.NilVal if not yet decoded
	RawAttrs      json.RawMessage
	SchemaVersion int64
	Private       []byte
	Tainted       bool
	Deps          []string
	CBD           bool
	Deposed       string
}

type ResourceState struct {
	Mode      Mode
	Type      string
	Name      string
	Provider  string // provider address string
	EachMode  string
	Instances map[string]*InstanceObj // by instance key string ("" for no key, "[0]", `["a"]`)
	Keys      map[string]cty.Value
}

func (r *ResourceState) Key() string {
	if r.Mode == DataMode {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

type State struct {
	mu        sync.Mutex
	Serial    int64
	Lineage   string
	Outputs   map[string]OutputVal
	Resources map[string]*ResourceState
	orig      []byte
}

type OutputVal struct {
	Value     cty.Value
	Sensitive bool
}

func newLineage() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func emptyState() *State {
	return &State{Lineage: newLineage(), Outputs: map[string]OutputVal{}, Resources: map[string]*ResourceState{}}
}

func keyString(k cty.Value) string {
	if k == cty.NilVal {
		return ""
	}
	return "[" + indexStr(k) + "]"
}

func loadState(path string) (*State, Diags) {
	var diags Diags
	src, err := ioutil.ReadFile(path)
	if os.IsNotExist(err) {
		return emptyState(), nil
	}
	if err != nil {
		return emptyState(), diags.Append(errDiag("Failed to load state", err.Error()))
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return emptyState(), nil
	}
	var sf stateFile
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&sf); err != nil {
		return emptyState(), diags.Append(errDiag("Failed to load state", fmt.Sprintf("Unsupported state file format: %s", err)))
	}
	if sf.Version != 4 {
		return emptyState(), diags.Append(errDiag("Failed to load state", fmt.Sprintf("Unsupported state file format: tfcore only reads state format version 4, not %d.", sf.Version)))
	}
	st := &State{Serial: sf.Serial, Lineage: sf.Lineage, Outputs: map[string]OutputVal{}, Resources: map[string]*ResourceState{}, orig: src}
	for name, o := range sf.Outputs {
		var ty cty.Type
		if err := ty.UnmarshalJSON(o.Type); err != nil {
			continue
		}
		v, err := ctyjson.Unmarshal(o.Value, ty)
		if err != nil {
			continue
		}
		st.Outputs[name] = OutputVal{Value: v, Sensitive: o.Sensitive}
	}
	for _, r := range sf.Resources {
		if r.Module != "" {
			continue
		}
		rs := &ResourceState{Type: r.Type, Name: r.Name, Provider: r.Provider, EachMode: r.EachMode,
			Instances: map[string]*InstanceObj{}, Keys: map[string]cty.Value{}}
		if r.Mode == "data" {
			rs.Mode = DataMode
		}
		for _, in := range r.Instances {
			var k cty.Value
			switch x := in.IndexKey.(type) {
			case json.Number:
				i, _ := x.Int64()
				k = cty.NumberIntVal(i)
			case string:
				k = cty.StringVal(x)
			}
			obj := &InstanceObj{RawAttrs: in.Attributes, SchemaVersion: in.SchemaVersion, Private: in.Private,
				Tainted: in.Status == "tainted", Deps: in.Dependencies, CBD: in.CreateBeforeDestroy, Deposed: in.Deposed}
			ks := keyString(k)
			if in.Deposed != "" {
				ks += " (deposed " + in.Deposed + ")"
			}
			rs.Instances[ks] = obj
			rs.Keys[ks] = k
		}
		st.Resources[rs.Key()] = rs
	}
	return st, diags
}

// Encode serialises the state; values must be set (Value != NilVal) or
// RawAttrs kept.
func (st *State) Encode(schemaFor func(mode Mode, typ, provider string) *Schema) ([]byte, error) {
	sf := stateFile{Version: 4, TerraformVersion: terraformVersion, Serial: st.Serial, Lineage: st.Lineage,
		Outputs: map[string]stateOutput{}, Resources: []*stateResource{}}
	for _, name := range sortedKeys(st.Outputs) {
		o := st.Outputs[name]
		if o.Value == cty.NilVal || !o.Value.IsWhollyKnown() {
			continue
		}
		vj, err := ctyjson.Marshal(o.Value, o.Value.Type())
		if err != nil {
			return nil, err
		}
		tj, err := o.Value.Type().MarshalJSON()
		if err != nil {
			return nil, err
		}
		sf.Outputs[name] = stateOutput{Value: vj, Type: tj, Sensitive: o.Sensitive}
	}
	keys := sortedKeys(st.Resources)
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := st.Resources[keys[i]], st.Resources[keys[j]]
		if a.Mode != b.Mode {
			return a.Mode == DataMode
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		rs := st.Resources[k]
		if len(rs.Instances) == 0 {
			continue
		}
		sr := &stateResource{Mode: "managed", Type: rs.Type, Name: rs.Name, Provider: rs.Provider, EachMode: rs.EachMode}
		if rs.Mode == DataMode {
			sr.Mode = "data"
		}
		var schema *Schema
		if schemaFor != nil {
			schema = schemaFor(rs.Mode, rs.Type, rs.Provider)
		}
		iks := sortedInstanceKeys(rs)
		for _, ik := range iks {
			obj := rs.Instances[ik]
			si := &stateInstance{SchemaVersion: obj.SchemaVersion, Private: obj.Private, Dependencies: obj.Deps,
				CreateBeforeDestroy: obj.CBD, Deposed: obj.Deposed, SensitiveAttributes: json.RawMessage("[]")}
			if obj.Tainted {
				si.Status = "tainted"
			}
			key := rs.Keys[ik]
			if key != cty.NilVal {
				if key.Type() == cty.Number {
					i, _ := key.AsBigFloat().Int64()
					si.IndexKey = i
				} else {
					si.IndexKey = key.AsString()
				}
			}
			if obj.Value != cty.NilVal && schema != nil {
				v := cty.UnknownAsNull(obj.Value)
				aj, err := ctyjson.Marshal(v, schema.Block.ImpliedType())
				if err != nil {
					return nil, fmt.Errorf("%s: %s", rs.Key()+keyString(key), err)
				}
				si.Attributes = aj
				si.SensitiveAttributes = sensitiveAttrsJSON(schema.Block)
			} else {
				si.Attributes = obj.RawAttrs
			}
			sr.Instances = append(sr.Instances, si)
		}
		sf.Resources = append(sf.Resources, sr)
	}
	return json.MarshalIndent(sf, "", "  ")
}

func sensitiveAttrsJSON(b *Block) json.RawMessage {
	type step struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	out := [][]step{}
	for _, n := range sortedKeys(b.Attributes) {
		if b.Attributes[n].Sensitive {
			out = append(out, []step{{Type: "get_attr", Value: n}})
		}
	}
	j, _ := json.Marshal(out)
	return j
}

func sortedInstanceKeys(rs *ResourceState) []string {
	iks := make([]string, 0, len(rs.Instances))
	for k := range rs.Instances {
		iks = append(iks, k)
	}
	sort.Slice(iks, func(i, j int) bool {
		a, b := rs.Keys[iks[i]], rs.Keys[iks[j]]
		if a != cty.NilVal && b != cty.NilVal && a.Type() == cty.Number && b.Type() == cty.Number {
			if a.Equals(b).True() {
				return iks[i] < iks[j]
			}
			return a.LessThan(b).True()
		}
		return iks[i] < iks[j]
	})
	return iks
}

// Save writes the state; the serial is bumped when the content changed.
func (st *State) Save(path string, schemaFor func(mode Mode, typ, provider string) *Schema) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	body, err := st.Encode(schemaFor)
	if err != nil {
		return err
	}
	if st.orig != nil && bytes.Equal(bytes.TrimSpace(body), bytes.TrimSpace(st.orig)) {
		return nil
	}
	st.Serial++
	if body, err = st.Encode(schemaFor); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
		return err
	}
	if st.orig != nil {
		_ = ioutil.WriteFile(path+".backup", st.orig, 0644)
	}
	tmp := path + ".tmp"
	if err := ioutil.WriteFile(tmp, append(body, '\n'), 0644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	st.orig = append(body, '\n')
	return nil
}

// ---- workspaces ------------------------------------------------------------------

func currentWorkspace(dir string) string {
	if ws := os.Getenv("TF_WORKSPACE"); ws != "" {
		return ws
	}
	b, err := ioutil.ReadFile(filepath.Join(dir, ".terraform", "environment"))
	if err != nil {
		return "default"
	}
	ws := strings.TrimSpace(string(b))
	if ws == "" {
		return "default"
	}
	return ws
}

func statePath(dir, ws string) string {
	if ws == "default" {
		return filepath.Join(dir, "terraform.tfstate")
	}
	return filepath.Join(dir, "terraform.tfstate.d", ws, "terraform.tfstate")
}

func listWorkspaces(dir string) []string {
	out := []string{"default"}
	entries, _ := ioutil.ReadDir(filepath.Join(dir, "terraform.tfstate.d"))
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out[1:])
	return out
}
