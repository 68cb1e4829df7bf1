package main

// Launching a provider plugin the way Terraform does (go-plugin managed
// client, gRPC only, AutoMTLS unless TF_DISABLE_PLUGIN_TLS) and thin wrappers
// around the tfplugin6 RPCs that translate values and diagnostics.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/ioutil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"github.com/zclconf/go-cty/cty/msgpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	proto "tfcoreproto/tfplugin6"
)

const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
	terraformVersion = "1.16.0"
)

// grpcProviderPlugin6 dispenses a tfplugin6 client.
type grpcProviderPlugin6 struct{ plugin.NetRPCUnsupportedPlugin }

func (p *grpcProviderPlugin6) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("tfcore is a client only")
}
func (p *grpcProviderPlugin6) GRPCClient(ctx context.Context, b *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	// Terraform's go-plugin (v1.7) opens plugin.GRPCStdio/StreamStdio right
	// after connecting and tolerates UNIMPLEMENTED; the go-plugin packaged
	// here is older, so tfcore does it itself.
	go streamStdio(ctx, c)
	return proto.NewProviderClient(c), nil
}

// rawCodec passes message bytes through unchanged.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func streamStdio(ctx context.Context, c *grpc.ClientConn) {
	desc := &grpc.StreamDesc{StreamName: "StreamStdio", ServerStreams: true}
	st, err := c.NewStream(ctx, desc, "/plugin.GRPCStdio/StreamStdio", grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return
	}
	empty := []byte{}
	if err := st.SendMsg(&empty); err != nil {
		return
	}
	_ = st.CloseSend()
	for {
		var msg []byte
		if err := st.RecvMsg(&msg); err != nil {
			getPluginLogger().Debug("plugin.GRPCStdio/StreamStdio ended", "error", err)
			return
		}
		getPluginLogger().Warn("unexpected data from plugin stdio stream", "bytes", len(msg))
	}
}

// protocol-5 placeholder: offered so that the plugin sees "5,6" like with
// Terraform, but tfcore refuses to use it.
type grpcProviderPlugin5 struct{ plugin.NetRPCUnsupportedPlugin }

func (p *grpcProviderPlugin5) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("tfcore is a client only")
}
func (p *grpcProviderPlugin5) GRPCClient(ctx context.Context, b *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return nil, errors.New("plugin protocol 5 is not supported by tfcore")
}

var pluginLogger hclog.Logger
var pluginLoggerOnce sync.Once

func getPluginLogger() hclog.Logger {
	pluginLoggerOnce.Do(func() {
		lvl := os.Getenv("TF_LOG_PROVIDER")
		if lvl == "" {
			lvl = os.Getenv("TF_LOG")
		}
		var out io.Writer = os.Stderr
		if p := os.Getenv("TF_LOG_PATH"); p != "" {
			if f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0644); err == nil {
				out = f
			}
		}
		level := hclog.LevelFromString(strings.ToLower(lvl))
		if strings.EqualFold(lvl, "json") {
			level = hclog.Trace
		}
		if lvl == "" || strings.EqualFold(lvl, "off") {
			level = hclog.Error
			out = ioutil.Discard
		} else if level == hclog.NoLevel {
			level = hclog.Trace
		}
		pluginLogger = hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: level, Output: out})
	})
	return pluginLogger
}

// Provider is one running provider plugin process.
type Provider struct {
	Name    string // provider config address for messages, e.g. provider["registry.terraform.io/hashicorp/gitops"]
	Source  string // e.g. registry.terraform.io/hashicorp/gitops
	client  *plugin.Client
	rpc     proto.ProviderClient
	schema  *ProviderSchema
	ctx     context.Context
	callsMu sync.Mutex
	Calls   []string // RPC names in call order (for tracing: TFCORE_TRACE_RPC)
}

var traceRPCFile *os.File
var traceRPCMu sync.Mutex

func (p *Provider) trace(name string) {
	p.callsMu.Lock()
	p.Calls = append(p.Calls, name)
	p.callsMu.Unlock()
	if traceRPCFile != nil {
		traceRPCMu.Lock()
		fmt.Fprintf(traceRPCFile, "%s %s\n", p.Source, name)
		traceRPCMu.Unlock()
	}
}

// startProvider launches a fresh plugin process.
func startProvider(source, path string) (*Provider, error) {
	cmd := exec.Command(path)
	cmd.Stdin = os.Stdin
	cfg := &plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  6,
			MagicCookieKey:   magicCookieKey,
			MagicCookieValue: magicCookieValue,
		},
		VersionedPlugins: map[int]plugin.PluginSet{
			5: {"provider": &grpcProviderPlugin5{}},
			6: {"provider": &grpcProviderPlugin6{}},
		},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          true,
		AutoMTLS:         os.Getenv("TF_DISABLE_PLUGIN_TLS") == "",
		Logger:           getPluginLogger().Named(filepath.Base(path)),
		SyncStdout:       ioutil.Discard,
		SyncStderr:       ioutil.Discard,
	}
	client := plugin.NewClient(cfg)
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("failed to start provider plugin %s: %s", path, err)
	}
	if v := client.NegotiatedVersion(); v != 6 {
		client.Kill()
		return nil, fmt.Errorf("provider plugin %s announced plugin protocol version %d; tfcore only supports protocol 6", path, v)
	}
	raw, err := rpcClient.Dispense("provider")
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("failed to dispense provider from %s: %s", path, err)
	}
	pc, ok := raw.(proto.ProviderClient)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("provider plugin %s: unexpected client type %T", path, raw)
	}
	return &Provider{Source: source, client: client, rpc: pc, ctx: context.Background()}, nil
}

// Close shuts the plugin down like Terraform: GRPCController/Shutdown, then
// wait up to 2 s, then SIGKILL.
func (p *Provider) Close() {
	if p != nil && p.client != nil {
		p.client.Kill()
	}
}

// grpcErrDiag maps a non-OK gRPC status to Terraform's diagnostic.
func grpcErrDiag(method string, err error) Diag {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Unavailable:
		return Diag{Severity: SevError, Summary: "Plugin did not respond",
			Detail: fmt.Sprintf("The plugin encountered an error, and failed to respond to the plugin6.(*GRPCProvider).%s call. The plugin logs may contain more details.", method)}
	case codes.Canceled:
		return Diag{Severity: SevError, Summary: "Request cancelled",
			Detail: fmt.Sprintf("The request for the plugin6.(*GRPCProvider).%s call was cancelled.", method)}
	case codes.Unimplemented:
		return Diag{Severity: SevError, Summary: "Unsupported plugin method",
			Detail: fmt.Sprintf("The plugin6.(*GRPCProvider).%s method is not supported by this plugin.", method)}
	}
	return Diag{Severity: SevError, Summary: "Plugin error",
		Detail: fmt.Sprintf("The plugin returned an unexpected error from plugin6.(*GRPCProvider).%s: %s", method, err)}
}

// protoDiags converts provider diagnostics. Attribute paths are kept for
// later location in config.
func protoDiags(in []*proto.Diagnostic) Diags {
	var out Diags
	for _, d := range in {
		var sev Severity
		switch d.Severity {
		case proto.Diagnostic_ERROR:
			sev = SevError
		case proto.Diagnostic_WARNING:
			sev = SevWarning
		default:
			// INVALID severity: Terraform shows it as neither; keep as warning
			// with a note so it is visible in tests.
			sev = SevWarning
		}
		dg := Diag{Severity: sev, Summary: d.Summary, Detail: d.Detail, FromProvider: true}
		if d.Attribute != nil {
			dg.AttrPath = attrPathToCty(d.Attribute)
			dg.HasPath = true
		}
		out = append(out, dg)
	}
	return out
}

func attrPathToCty(ap *proto.AttributePath) cty.Path {
	var p cty.Path
	for _, s := range ap.Steps {
		switch sel := s.Selector.(type) {
		case *proto.AttributePath_Step_AttributeName:
			p = p.GetAttr(sel.AttributeName)
		case *proto.AttributePath_Step_ElementKeyString:
			p = p.Index(cty.StringVal(sel.ElementKeyString))
		case *proto.AttributePath_Step_ElementKeyInt:
			p = p.Index(cty.NumberIntVal(sel.ElementKeyInt))
		}
	}
	return p
}

func encodeDV(v cty.Value, ty cty.Type) (*proto.DynamicValue, error) {
	b, err := msgpack.Marshal(v, ty)
	if err != nil {
		return nil, err
	}
	return &proto.DynamicValue{Msgpack: b}, nil
}

func decodeDV(dv *proto.DynamicValue, ty cty.Type) (cty.Value, error) {
	if dv == nil {
		return cty.NullVal(ty), nil
	}
	switch {
	case len(dv.Msgpack) > 0:
		return msgpack.Unmarshal(dv.Msgpack, ty)
	case len(dv.Json) > 0:
		return ctyjson.Unmarshal(dv.Json, ty)
	}
	return cty.NullVal(ty), nil
}

func clientCaps() *proto.ClientCapabilities {
	return &proto.ClientCapabilities{
		DeferralAllowed:            false,
		WriteOnlyAttributesAllowed: true,
		StorePlannedPrivate:        true,
		ComputedBlocksAllowed:      true,
	}
}

// ---- RPC wrappers --------------------------------------------------------

// GetSchema calls GetProviderSchema + GetResourceIdentitySchemas.
func (p *Provider) GetSchema() (*ProviderSchema, Diags) {
	var diags Diags
	p.trace("GetProviderSchema")
	resp, err := p.rpc.GetProviderSchema(p.ctx, &proto.GetProviderSchema_Request{})
	if err != nil {
		return nil, diags.Append(grpcErrDiag("GetProviderSchema", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	if diags.HasErrors() {
		return nil, diags
	}
	p.trace("GetResourceIdentitySchemas")
	_, err = p.rpc.GetResourceIdentitySchemas(p.ctx, &proto.GetResourceIdentitySchemas_Request{})
	if err != nil {
		if st, _ := status.FromError(err); st.Code() != codes.Unimplemented {
			return nil, diags.Append(grpcErrDiag("GetResourceIdentitySchemas", err))
		}
	}
	s, err := convertProviderSchema(resp)
	if err != nil {
		return nil, diags.Append(Diag{Severity: SevError, Summary: "Failed to load plugin schemas",
			Detail: fmt.Sprintf("Error while loading schemas for plugin components: Failed to obtain provider schema: Could not load the schema for provider %s: %s..", p.Source, err)})
	}
	return s, diags
}

func (p *Provider) ValidateProviderConfig(cfg cty.Value) Diags {
	var diags Diags
	dv, err := encodeDV(cfg, p.schema.Provider.ImpliedType())
	if err != nil {
		return diags.Append(errDiag("Failed to encode provider configuration", err.Error()))
	}
	p.trace("ValidateProviderConfig")
	resp, err := p.rpc.ValidateProviderConfig(p.ctx, &proto.ValidateProviderConfig_Request{Config: dv})
	if err != nil {
		return diags.Append(grpcErrDiag("ValidateProviderConfig", err))
	}
	return append(diags, protoDiags(resp.Diagnostics)...)
}

func (p *Provider) ConfigureProvider(cfg cty.Value) Diags {
	var diags Diags
	dv, err := encodeDV(cfg, p.schema.Provider.ImpliedType())
	if err != nil {
		return diags.Append(errDiag("Failed to encode provider configuration", err.Error()))
	}
	p.trace("ConfigureProvider")
	resp, err := p.rpc.ConfigureProvider(p.ctx, &proto.ConfigureProvider_Request{
		TerraformVersion: terraformVersion, Config: dv, ClientCapabilities: clientCaps()})
	if err != nil {
		return diags.Append(grpcErrDiag("ConfigureProvider", err))
	}
	return append(diags, protoDiags(resp.Diagnostics)...)
}

func (p *Provider) ValidateResourceConfig(typ string, cfg cty.Value) Diags {
	var diags Diags
	s := p.schema.Resources[typ]
	dv, err := encodeDV(cfg, s.Block.ImpliedType())
	if err != nil {
		return diags.Append(errDiag("Failed to encode resource configuration", err.Error()))
	}
	p.trace("ValidateResourceConfig")
	resp, err := p.rpc.ValidateResourceConfig(p.ctx, &proto.ValidateResourceConfig_Request{
		TypeName: typ, Config: dv, ClientCapabilities: clientCaps()})
	if err != nil {
		return diags.Append(grpcErrDiag("ValidateResourceConfig", err))
	}
	return append(diags, protoDiags(resp.Diagnostics)...)
}

func (p *Provider) ValidateDataResourceConfig(typ string, cfg cty.Value) Diags {
	var diags Diags
	s := p.schema.DataSources[typ]
	dv, err := encodeDV(cfg, s.Block.ImpliedType())
	if err != nil {
		return diags.Append(errDiag("Failed to encode data source configuration", err.Error()))
	}
	p.trace("ValidateDataResourceConfig")
	resp, err := p.rpc.ValidateDataResourceConfig(p.ctx, &proto.ValidateDataResourceConfig_Request{TypeName: typ, Config: dv})
	if err != nil {
		return diags.Append(grpcErrDiag("ValidateDataResourceConfig", err))
	}
	return append(diags, protoDiags(resp.Diagnostics)...)
}

func (p *Provider) UpgradeResourceState(typ string, version int64, rawJSON []byte) (cty.Value, Diags) {
	var diags Diags
	s := p.schema.Resources[typ]
	ty := s.Block.ImpliedType()
	p.trace("UpgradeResourceState")
	resp, err := p.rpc.UpgradeResourceState(p.ctx, &proto.UpgradeResourceState_Request{
		TypeName: typ, Version: version, RawState: &proto.RawState{Json: rawJSON}})
	if err != nil {
		return cty.NullVal(ty), diags.Append(grpcErrDiag("UpgradeResourceState", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	if diags.HasErrors() {
		return cty.NullVal(ty), diags
	}
	v, err := decodeDV(resp.UpgradedState, ty)
	if err != nil {
		return cty.NullVal(ty), diags.Append(errDiag("Invalid resource state upgrade", err.Error()))
	}
	return v, diags
}

func (p *Provider) ReadResource(typ string, cur cty.Value, private []byte) (cty.Value, []byte, Diags) {
	var diags Diags
	s := p.schema.Resources[typ]
	ty := s.Block.ImpliedType()
	dv, err := encodeDV(cur, ty)
	if err != nil {
		return cty.NullVal(ty), nil, diags.Append(errDiag("Failed to encode state", err.Error()))
	}
	p.trace("ReadResource")
	resp, err := p.rpc.ReadResource(p.ctx, &proto.ReadResource_Request{
		TypeName: typ, CurrentState: dv, Private: private, ClientCapabilities: clientCaps()})
	if err != nil {
		return cty.NullVal(ty), nil, diags.Append(grpcErrDiag("ReadResource", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	v, err := decodeDV(resp.NewState, ty)
	if err != nil {
		return cty.NullVal(ty), nil, diags.Append(errDiag("Provider produced invalid object", err.Error()))
	}
	return v, resp.Private, diags
}

type planResp struct {
	Planned         cty.Value
	RequiresReplace []cty.Path
	PlannedPrivate  []byte
	LegacyTypeSys   bool
	Deferred        bool
	DecodeErr       error
}

func (p *Provider) PlanResourceChange(typ string, prior, proposed, config cty.Value, priorPrivate, plannedPrivate []byte) (planResp, Diags) {
	var diags Diags
	s := p.schema.Resources[typ]
	ty := s.Block.ImpliedType()
	out := planResp{Planned: cty.NullVal(ty)}
	priorDV, err1 := encodeDV(prior, ty)
	propDV, err2 := encodeDV(proposed, ty)
	cfgDV, err3 := encodeDV(config, ty)
	for _, e := range []error{err1, err2, err3} {
		if e != nil {
			return out, diags.Append(errDiag("Failed to encode plan request", e.Error()))
		}
	}
	p.trace("PlanResourceChange")
	resp, err := p.rpc.PlanResourceChange(p.ctx, &proto.PlanResourceChange_Request{
		TypeName: typ, PriorState: priorDV, ProposedNewState: propDV, Config: cfgDV,
		PriorPrivate: priorPrivate, PlannedPrivate: plannedPrivate, ClientCapabilities: clientCaps()})
	if err != nil {
		return out, diags.Append(grpcErrDiag("PlanResourceChange", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	v, derr := decodeDV(resp.PlannedState, ty)
	if derr != nil {
		out.DecodeErr = derr
	} else {
		out.Planned = v
	}
	for _, rp := range resp.RequiresReplace {
		out.RequiresReplace = append(out.RequiresReplace, attrPathToCty(rp))
	}
	out.PlannedPrivate = resp.PlannedPrivate
	out.LegacyTypeSys = resp.LegacyTypeSystem
	out.Deferred = resp.Deferred != nil
	return out, diags
}

type applyResp struct {
	New       cty.Value
	Private   []byte
	DecodeErr error
}

func (p *Provider) ApplyResourceChange(typ string, prior, planned, config cty.Value, plannedPrivate []byte) (applyResp, Diags) {
	var diags Diags
	s := p.schema.Resources[typ]
	ty := s.Block.ImpliedType()
	out := applyResp{New: cty.NullVal(ty)}
	priorDV, err1 := encodeDV(prior, ty)
	planDV, err2 := encodeDV(planned, ty)
	cfgDV, err3 := encodeDV(config, ty)
	for _, e := range []error{err1, err2, err3} {
		if e != nil {
			return out, diags.Append(errDiag("Failed to encode apply request", e.Error()))
		}
	}
	p.trace("ApplyResourceChange")
	resp, err := p.rpc.ApplyResourceChange(p.ctx, &proto.ApplyResourceChange_Request{
		TypeName: typ, PriorState: priorDV, PlannedState: planDV, Config: cfgDV, PlannedPrivate: plannedPrivate})
	if err != nil {
		// keep prior object
		out.New = prior
		return out, diags.Append(grpcErrDiag("ApplyResourceChange", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	v, derr := decodeDV(resp.NewState, ty)
	if derr != nil {
		out.DecodeErr = derr
	} else {
		out.New = v
	}
	out.Private = resp.Private
	return out, diags
}

type importedResource struct {
	TypeName  string
	State     cty.Value
	Private   []byte
	DecodeErr error
}

func (p *Provider) ImportResourceState(typ, id string) ([]importedResource, Diags) {
	var diags Diags
	p.trace("ImportResourceState")
	resp, err := p.rpc.ImportResourceState(p.ctx, &proto.ImportResourceState_Request{
		TypeName: typ, Id: id, ClientCapabilities: clientCaps()})
	if err != nil {
		return nil, diags.Append(grpcErrDiag("ImportResourceState", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	var out []importedResource
	for _, ir := range resp.ImportedResources {
		r := importedResource{TypeName: ir.TypeName, Private: ir.Private}
		s := p.schema.Resources[ir.TypeName]
		if s == nil {
			s = p.schema.Resources[typ]
		}
		if s != nil {
			r.State, r.DecodeErr = decodeDV(ir.State, s.Block.ImpliedType())
		}
		out = append(out, r)
	}
	return out, diags
}

func (p *Provider) ReadDataSource(typ string, config cty.Value) (cty.Value, error, Diags) {
	var diags Diags
	s := p.schema.DataSources[typ]
	ty := s.Block.ImpliedType()
	dv, err := encodeDV(config, ty)
	if err != nil {
		return cty.NullVal(ty), nil, diags.Append(errDiag("Failed to encode data source configuration", err.Error()))
	}
	p.trace("ReadDataSource")
	resp, err := p.rpc.ReadDataSource(p.ctx, &proto.ReadDataSource_Request{TypeName: typ, Config: dv, ClientCapabilities: clientCaps()})
	if err != nil {
		return cty.NullVal(ty), nil, diags.Append(grpcErrDiag("ReadDataSource", err))
	}
	diags = append(diags, protoDiags(resp.Diagnostics)...)
	v, derr := decodeDV(resp.State, ty)
	if derr != nil {
		return cty.NullVal(ty), derr, diags
	}
	return v, nil, diags
}

func (p *Provider) StopProvider() {
	p.trace("StopProvider")
	_, _ = p.rpc.StopProvider(p.ctx, &proto.StopProvider_Request{})
}
