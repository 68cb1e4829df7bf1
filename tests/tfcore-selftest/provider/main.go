// Command terraform-provider-tftest is a tiny tfplugin6 provider used to test
// tfcore. It serves through go-plugin (AutoMTLS when PLUGIN_CLIENT_CERT is
// set) and can be told to misbehave with TFTEST_MODE (or the provider's
// "mode" attribute):
//
//	ok (default)        well-behaved
//	plan_change_config  PlanResourceChange rewrites the configured "name"
//	apply_differs       ApplyResourceChange returns a "value" differing from the plan
//	apply_unknown       ApplyResourceChange leaves "computed_at" unknown
//	apply_null          ApplyResourceChange returns null for a create
//	destroy_nonnull     ApplyResourceChange returns the object for a delete
//	replan_differs      planned "size" depends on the process, so the apply-time plan differs
//	refresh_unknown     ReadResource returns an unknown "computed_at"
//	data_null           ReadDataSource returns null
//	data_unknown        ReadDataSource returns an unknown "upper"
//	import_none         ImportResourceState returns no resources
//	import_two          ImportResourceState returns two resources
//	bad_schema_type     the schema has an attribute with invalid type JSON
//	proto5              announce plugin protocol 5 only
//
// Objects live in a JSON file, TFTEST_STORE (default tftest-store.json in the
// working directory). TFTEST_LOG names a file that gets one line per RPC.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"github.com/zclconf/go-cty/cty/msgpack"
	"google.golang.org/grpc"

	proto "tfcoreproto/tfplugin6"
)

var ruleType = cty.Object(map[string]cty.Type{"port": cty.Number, "proto": cty.String})

var thingType = cty.Object(map[string]cty.Type{
	"id": cty.String, "name": cty.String, "value": cty.String, "size": cty.Number, "zone": cty.String,
	"tags": cty.Map(cty.String), "secret": cty.String, "computed_at": cty.String, "rule": cty.List(ruleType),
})

var infoType = cty.Object(map[string]cty.Type{"id": cty.String, "input": cty.String, "upper": cty.String})

var providerType = cty.Object(map[string]cty.Type{"mode": cty.String, "prefix": cty.String})

func attr(name, ty string, req, opt, comp, sens bool) *proto.Schema_Attribute {
	return &proto.Schema_Attribute{Name: name, Type: []byte(ty), Required: req, Optional: opt, Computed: comp, Sensitive: sens}
}

type server struct {
	proto.UnimplementedProviderServer
	mu     sync.Mutex
	mode   string
	prefix string
}

func (s *server) logf(format string, args ...interface{}) {
	if f := os.Getenv("TFTEST_LOG"); f != "" {
		fh, err := os.OpenFile(f, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0644)
		if err == nil {
			fmt.Fprintf(fh, format+"\n", args...)
			fh.Close()
		}
	}
}

func (s *server) getMode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := os.Getenv("TFTEST_MODE"); m != "" {
		return m
	}
	if s.mode == "" {
		return "ok"
	}
	return s.mode
}

func errDiag(summary, detail string, path ...string) []*proto.Diagnostic {
	d := &proto.Diagnostic{Severity: proto.Diagnostic_ERROR, Summary: summary, Detail: detail}
	if len(path) > 0 {
		d.Attribute = &proto.AttributePath{}
		for _, p := range path {
			d.Attribute.Steps = append(d.Attribute.Steps, &proto.AttributePath_Step{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: p}})
		}
	}
	return []*proto.Diagnostic{d}
}

func dec(dv *proto.DynamicValue, ty cty.Type) (cty.Value, error) {
	if dv == nil || len(dv.Msgpack) == 0 {
		return cty.NullVal(ty), nil
	}
	return msgpack.Unmarshal(dv.Msgpack, ty)
}

func enc(v cty.Value, ty cty.Type) *proto.DynamicValue {
	b, err := msgpack.Marshal(v, ty)
	if err != nil {
		panic(err)
	}
	return &proto.DynamicValue{Msgpack: b}
}

// ---- store ------------------------------------------------------------------

var storeMu sync.Mutex

func storePath() string {
	if p := os.Getenv("TFTEST_STORE"); p != "" {
		return p
	}
	return "tftest-store.json"
}

type store struct {
	Counter int                        `json:"counter"`
	Objects map[string]json.RawMessage `json:"objects"`
}

func loadStore() *store {
	st := &store{Objects: map[string]json.RawMessage{}}
	b, err := ioutil.ReadFile(storePath())
	if err == nil {
		json.Unmarshal(b, st)
	}
	if st.Objects == nil {
		st.Objects = map[string]json.RawMessage{}
	}
	return st
}

func (st *store) save() {
	b, _ := json.MarshalIndent(st, "", "  ")
	ioutil.WriteFile(storePath(), b, 0644)
}

func (st *store) get(id string) (cty.Value, bool) {
	raw, ok := st.Objects[id]
	if !ok {
		return cty.NullVal(thingType), false
	}
	v, err := ctyjson.Unmarshal(raw, thingType)
	if err != nil {
		return cty.NullVal(thingType), false
	}
	return v, true
}

func (st *store) put(id string, v cty.Value) {
	b, _ := ctyjson.Marshal(v, thingType)
	st.Objects[id] = b
}

func setAttr(obj cty.Value, name string, v cty.Value) cty.Value {
	m := obj.AsValueMap()
	m[name] = v
	return cty.ObjectVal(m)
}

// ---- RPCs -------------------------------------------------------------------

func (s *server) GetProviderSchema(ctx context.Context, req *proto.GetProviderSchema_Request) (*proto.GetProviderSchema_Response, error) {
	s.logf("GetProviderSchema")
	nameType := `"string"`
	if os.Getenv("TFTEST_MODE") == "bad_schema_type" {
		nameType = `["strang"`
	}
	thing := &proto.Schema{Version: 1, Block: &proto.Schema_Block{
		Attributes: []*proto.Schema_Attribute{
			attr("id", `"string"`, false, false, true, false),
			attr("name", nameType, true, false, false, false),
			attr("value", `"string"`, false, true, false, false),
			attr("size", `"number"`, false, true, true, false),
			attr("zone", `"string"`, false, true, false, false),
			attr("tags", `["map","string"]`, false, true, false, false),
			attr("secret", `"string"`, false, true, false, true),
			attr("computed_at", `"string"`, false, false, true, false),
		},
		BlockTypes: []*proto.Schema_NestedBlock{{TypeName: "rule", Nesting: proto.Schema_NestedBlock_LIST,
			Block: &proto.Schema_Block{Attributes: []*proto.Schema_Attribute{
				attr("port", `"number"`, true, false, false, false),
				attr("proto", `"string"`, false, true, false, false),
			}}}},
	}}
	info := &proto.Schema{Block: &proto.Schema_Block{Attributes: []*proto.Schema_Attribute{
		attr("id", `"string"`, false, false, true, false),
		attr("input", `"string"`, true, false, false, false),
		attr("upper", `"string"`, false, false, true, false),
	}}}
	return &proto.GetProviderSchema_Response{
		Provider: &proto.Schema{Block: &proto.Schema_Block{Attributes: []*proto.Schema_Attribute{
			attr("mode", `"string"`, false, true, false, false),
			attr("prefix", `"string"`, false, true, false, false),
		}}},
		ResourceSchemas:    map[string]*proto.Schema{"tftest_thing": thing},
		DataSourceSchemas:  map[string]*proto.Schema{"tftest_info": info},
		ServerCapabilities: &proto.ServerCapabilities{PlanDestroy: false},
	}, nil
}

func (s *server) ValidateProviderConfig(ctx context.Context, req *proto.ValidateProviderConfig_Request) (*proto.ValidateProviderConfig_Response, error) {
	s.logf("ValidateProviderConfig")
	cfg, err := dec(req.Config, providerType)
	if err != nil {
		return &proto.ValidateProviderConfig_Response{Diagnostics: errDiag("bad config", err.Error())}, nil
	}
	if m := cfg.GetAttr("mode"); m.IsKnown() && !m.IsNull() && m.AsString() == "invalid" {
		return &proto.ValidateProviderConfig_Response{Diagnostics: errDiag("Invalid provider mode", "mode must not be \"invalid\"", "mode")}, nil
	}
	return &proto.ValidateProviderConfig_Response{}, nil
}

func (s *server) ConfigureProvider(ctx context.Context, req *proto.ConfigureProvider_Request) (*proto.ConfigureProvider_Response, error) {
	caps := req.ClientCapabilities
	s.logf("ConfigureProvider tv=%s wo=%v tls=%v", req.TerraformVersion, caps != nil && caps.WriteOnlyAttributesAllowed, os.Getenv("PLUGIN_CLIENT_CERT") != "")
	cfg, err := dec(req.Config, providerType)
	if err != nil {
		return &proto.ConfigureProvider_Response{Diagnostics: errDiag("bad config", err.Error())}, nil
	}
	s.mu.Lock()
	if m := cfg.GetAttr("mode"); !m.IsNull() {
		s.mode = m.AsString()
	}
	if p := cfg.GetAttr("prefix"); !p.IsNull() {
		s.prefix = p.AsString()
	}
	s.mu.Unlock()
	return &proto.ConfigureProvider_Response{}, nil
}

func (s *server) ValidateResourceConfig(ctx context.Context, req *proto.ValidateResourceConfig_Request) (*proto.ValidateResourceConfig_Response, error) {
	s.logf("ValidateResourceConfig %s", req.TypeName)
	cfg, err := dec(req.Config, thingType)
	if err != nil {
		return &proto.ValidateResourceConfig_Response{Diagnostics: errDiag("bad config", err.Error())}, nil
	}
	if v := cfg.GetAttr("value"); v.IsKnown() && !v.IsNull() && v.AsString() == "invalid" {
		return &proto.ValidateResourceConfig_Response{Diagnostics: errDiag("Invalid value", `The value "invalid" is not allowed.`, "value")}, nil
	}
	return &proto.ValidateResourceConfig_Response{}, nil
}

func (s *server) ValidateDataResourceConfig(ctx context.Context, req *proto.ValidateDataResourceConfig_Request) (*proto.ValidateDataResourceConfig_Response, error) {
	s.logf("ValidateDataResourceConfig %s", req.TypeName)
	return &proto.ValidateDataResourceConfig_Response{}, nil
}

func (s *server) UpgradeResourceState(ctx context.Context, req *proto.UpgradeResourceState_Request) (*proto.UpgradeResourceState_Response, error) {
	s.logf("UpgradeResourceState %s v%d", req.TypeName, req.Version)
	v, err := ctyjson.Unmarshal(req.RawState.Json, thingType)
	if err != nil {
		return &proto.UpgradeResourceState_Response{Diagnostics: errDiag("Cannot upgrade state", err.Error())}, nil
	}
	return &proto.UpgradeResourceState_Response{UpgradedState: enc(v, thingType)}, nil
}

func (s *server) ReadResource(ctx context.Context, req *proto.ReadResource_Request) (*proto.ReadResource_Response, error) {
	s.logf("ReadResource %s", req.TypeName)
	cur, err := dec(req.CurrentState, thingType)
	if err != nil {
		return &proto.ReadResource_Response{Diagnostics: errDiag("bad state", err.Error())}, nil
	}
	storeMu.Lock()
	st := loadStore()
	storeMu.Unlock()
	id := cur.GetAttr("id")
	if id.IsNull() {
		return &proto.ReadResource_Response{NewState: enc(cty.NullVal(thingType), thingType)}, nil
	}
	v, ok := st.get(id.AsString())
	if !ok {
		return &proto.ReadResource_Response{NewState: enc(cty.NullVal(thingType), thingType)}, nil
	}
	if s.getMode() == "refresh_unknown" {
		v = setAttr(v, "computed_at", cty.UnknownVal(cty.String))
	}
	return &proto.ReadResource_Response{NewState: enc(v, thingType), Private: req.Private}, nil
}

var inflight, maxInflight int32
var inflightMu sync.Mutex

func trackInflight() func() {
	ms, _ := strconv.Atoi(os.Getenv("TFTEST_DELAY_MS"))
	if ms <= 0 {
		return func() {}
	}
	inflightMu.Lock()
	inflight++
	if inflight > maxInflight {
		maxInflight = inflight
	}
	inflightMu.Unlock()
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return func() {
		inflightMu.Lock()
		inflight--
		inflightMu.Unlock()
	}
}

func (s *server) PlanResourceChange(ctx context.Context, req *proto.PlanResourceChange_Request) (*proto.PlanResourceChange_Response, error) {
	done := trackInflight()
	defer func() {
		done()
		inflightMu.Lock()
		m := maxInflight
		inflightMu.Unlock()
		s.logf("maxinflight %d", m)
	}()
	s.logf("PlanResourceChange %s", req.TypeName)
	prior, err1 := dec(req.PriorState, thingType)
	proposed, err2 := dec(req.ProposedNewState, thingType)
	if err1 != nil || err2 != nil {
		return &proto.PlanResourceChange_Response{Diagnostics: errDiag("bad request", fmt.Sprint(err1, err2))}, nil
	}
	if proposed.IsNull() {
		return &proto.PlanResourceChange_Response{PlannedState: enc(proposed, thingType)}, nil
	}
	mode := s.getMode()
	planned := proposed
	if planned.GetAttr("size").IsNull() {
		planned = setAttr(planned, "size", cty.NumberIntVal(1))
	}
	if mode == "replan_differs" {
		planned = setAttr(planned, "size", cty.NumberIntVal(int64(os.Getpid())))
	}
	var reqRep []*proto.AttributePath
	if prior.IsNull() {
		planned = setAttr(planned, "id", cty.UnknownVal(cty.String))
		planned = setAttr(planned, "computed_at", cty.UnknownVal(cty.String))
	} else {
		changed := false
		for _, n := range []string{"name", "value", "size", "zone", "tags", "secret", "rule"} {
			eq := prior.GetAttr(n).Equals(planned.GetAttr(n))
			if !eq.IsKnown() || eq.False() {
				changed = true
			}
		}
		if changed {
			planned = setAttr(planned, "computed_at", cty.UnknownVal(cty.String))
		}
		if eq := prior.GetAttr("zone").Equals(planned.GetAttr("zone")); !eq.IsKnown() || eq.False() {
			reqRep = append(reqRep, &proto.AttributePath{Steps: []*proto.AttributePath_Step{{Selector: &proto.AttributePath_Step_AttributeName{AttributeName: "zone"}}}})
		}
	}
	if mode == "plan_change_config" {
		if n := planned.GetAttr("name"); n.IsKnown() && !n.IsNull() {
			planned = setAttr(planned, "name", cty.StringVal(n.AsString()+"-changed"))
		}
	}
	private := req.PriorPrivate
	if private == nil {
		private = []byte("planned-private")
	}
	return &proto.PlanResourceChange_Response{PlannedState: enc(planned, thingType), RequiresReplace: reqRep, PlannedPrivate: private}, nil
}

func (s *server) ApplyResourceChange(ctx context.Context, req *proto.ApplyResourceChange_Request) (*proto.ApplyResourceChange_Response, error) {
	s.logf("ApplyResourceChange %s", req.TypeName)
	prior, err1 := dec(req.PriorState, thingType)
	planned, err2 := dec(req.PlannedState, thingType)
	if err1 != nil || err2 != nil {
		return &proto.ApplyResourceChange_Response{Diagnostics: errDiag("bad request", fmt.Sprint(err1, err2))}, nil
	}
	mode := s.getMode()
	storeMu.Lock()
	defer storeMu.Unlock()
	st := loadStore()
	if planned.IsNull() {
		delete(st.Objects, prior.GetAttr("id").AsString())
		st.save()
		if mode == "destroy_nonnull" {
			return &proto.ApplyResourceChange_Response{NewState: enc(prior, thingType)}, nil
		}
		return &proto.ApplyResourceChange_Response{NewState: enc(cty.NullVal(thingType), thingType)}, nil
	}
	st.Counter++
	newVal := planned
	if prior.IsNull() {
		s.mu.Lock()
		prefix := s.prefix
		s.mu.Unlock()
		newVal = setAttr(newVal, "id", cty.StringVal(fmt.Sprintf("%sthing-%d", prefix, st.Counter)))
	}
	if !newVal.GetAttr("computed_at").IsKnown() {
		newVal = setAttr(newVal, "computed_at", cty.StringVal(fmt.Sprintf("t%d", st.Counter)))
	}
	switch mode {
	case "apply_differs":
		v := newVal.GetAttr("value")
		s := "x"
		if !v.IsNull() {
			s = v.AsString()
		}
		newVal = setAttr(newVal, "value", cty.StringVal(s+"!"))
	case "apply_unknown":
		newVal = setAttr(newVal, "computed_at", cty.UnknownVal(cty.String))
	case "apply_null":
		if prior.IsNull() {
			return &proto.ApplyResourceChange_Response{NewState: enc(cty.NullVal(thingType), thingType)}, nil
		}
	}
	st.put(newVal.GetAttr("id").AsString(), cty.UnknownAsNull(newVal))
	st.save()
	return &proto.ApplyResourceChange_Response{NewState: enc(newVal, thingType), Private: []byte("applied-private")}, nil
}

func (s *server) ImportResourceState(ctx context.Context, req *proto.ImportResourceState_Request) (*proto.ImportResourceState_Response, error) {
	s.logf("ImportResourceState %s %s", req.TypeName, req.Id)
	mode := s.getMode()
	partial := cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal(req.Id), "name": cty.NullVal(cty.String), "value": cty.NullVal(cty.String),
		"size": cty.NullVal(cty.Number), "zone": cty.NullVal(cty.String), "tags": cty.NullVal(cty.Map(cty.String)),
		"secret": cty.NullVal(cty.String), "computed_at": cty.NullVal(cty.String), "rule": cty.ListValEmpty(ruleType),
	})
	one := &proto.ImportResourceState_ImportedResource{TypeName: req.TypeName, State: enc(partial, thingType)}
	switch mode {
	case "import_none":
		return &proto.ImportResourceState_Response{}, nil
	case "import_two":
		return &proto.ImportResourceState_Response{ImportedResources: []*proto.ImportResourceState_ImportedResource{one, one}}, nil
	}
	return &proto.ImportResourceState_Response{ImportedResources: []*proto.ImportResourceState_ImportedResource{one}}, nil
}

func (s *server) ReadDataSource(ctx context.Context, req *proto.ReadDataSource_Request) (*proto.ReadDataSource_Response, error) {
	s.logf("ReadDataSource %s", req.TypeName)
	cfg, err := dec(req.Config, infoType)
	if err != nil {
		return &proto.ReadDataSource_Response{Diagnostics: errDiag("bad config", err.Error())}, nil
	}
	in := cfg.GetAttr("input")
	if !in.IsWhollyKnown() {
		return &proto.ReadDataSource_Response{Diagnostics: errDiag("unknown input", "ReadDataSource got an unknown input")}, nil
	}
	v := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("info-" + in.AsString()), "input": in,
		"upper": cty.StringVal(strings.ToUpper(in.AsString()))})
	switch s.getMode() {
	case "data_null":
		v = cty.NullVal(infoType)
	case "data_unknown":
		v = setAttr(v, "upper", cty.UnknownVal(cty.String))
	}
	return &proto.ReadDataSource_Response{State: enc(v, infoType)}, nil
}

// GetResourceIdentitySchemas stays UNIMPLEMENTED (embedded default), which
// Terraform tolerates.

func (s *server) StopProvider(ctx context.Context, req *proto.StopProvider_Request) (*proto.StopProvider_Response, error) {
	return &proto.StopProvider_Response{}, nil
}

// ---- go-plugin glue -----------------------------------------------------------

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *server
}

func (p *grpcPlugin) GRPCServer(b *plugin.GRPCBroker, s *grpc.Server) error {
	proto.RegisterProviderServer(s, p.srv)
	return nil
}

func (p *grpcPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (interface{}, error) {
	return nil, fmt.Errorf("server only")
}

func main() {
	srv := &server{}
	version := 6
	if os.Getenv("TFTEST_MODE") == "proto5" {
		version = 5
	}
	if f := os.Getenv("TFTEST_LOG"); f != "" {
		srv.logf("start tls=%v versions=%s", os.Getenv("PLUGIN_CLIENT_CERT") != "", os.Getenv("PLUGIN_PROTOCOL_VERSIONS"))
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  uint(version),
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		},
		VersionedPlugins: map[int]plugin.PluginSet{version: {"provider": &grpcPlugin{srv: srv}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
