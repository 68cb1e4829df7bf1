// Command protocol checks the provider binary's side of the go-plugin and
// tfplugin6 contracts directly on the wire: launch, cookie, version
// negotiation, AutoMTLS, concurrency, StopProvider, Shutdown and malformed
// requests. It ends with "protocol: N passed, M failed".
//
//	protocol PROVIDER_BINARY
//	protocol -bench N PROVIDER_BINARY [REFERENCE_BINARY]
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io/ioutil"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	goplugin "tfcoreproto/goplugin"
	tfplugin6 "tfcoreproto/tfplugin6"
)

const cookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

var (
	binary         string
	passed, failed int
)

func check(name string, err error) {
	if err != nil {
		failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	passed++
	fmt.Printf("ok   %s\n", name)
}

// plugin is one launched provider process.
type plugin struct {
	cmd     *exec.Cmd
	line    string
	fields  []string
	conn    *grpc.ClientConn
	client  tfplugin6.ProviderClient
	stderr  *strings.Builder
	exited  chan error
	tmpdir  string
	clientT *tls.Config
}

func genCert() (*tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	tmpl := x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		NotBefore:             time.Now().Add(-30 * time.Second),
		NotAfter:              time.Now().Add(262980 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	return &c, certPEM, err
}

// launch starts the provider with Terraform's environment plus extra.
func launch(mtls bool, extra ...string) (*plugin, error) {
	p := &plugin{stderr: &strings.Builder{}, exited: make(chan error, 1)}
	dir, _ := ioutil.TempDir("", "protocol")
	p.tmpdir = dir
	env := append(os.Environ(), "TF_PLUGIN_MAGIC_COOKIE="+cookie, "PLUGIN_PROTOCOL_VERSIONS=5,6",
		"PLUGIN_UNIX_SOCKET_DIR="+dir, "HOME="+dir)
	var clientCert *tls.Certificate
	if mtls {
		c, certPEM, err := genCert()
		if err != nil {
			return nil, err
		}
		clientCert = c
		env = append(env, "PLUGIN_CLIENT_CERT="+string(certPEM))
	}
	env = append(env, extra...)
	p.cmd = exec.Command(binary)
	p.cmd.Env = env
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.exited <- p.cmd.Wait() }()
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		lines <- l
		ioutil.ReadAll(r)
	}()
	select {
	case p.line = <-lines:
	case <-time.After(20 * time.Second):
		p.kill()
		return nil, fmt.Errorf("no handshake line within 20s; stderr: %s", p.stderr.String())
	}
	p.fields = strings.Split(strings.TrimSpace(p.line), "|")
	if len(p.fields) != 6 {
		p.kill()
		return nil, fmt.Errorf("handshake line %q has %d fields", p.line, len(p.fields))
	}
	opts := []grpc.DialOption{grpc.WithBlock(), grpc.WithDialer(func(addr string, t time.Duration) (net.Conn, error) {
		return net.DialTimeout(p.fields[2], addr, t)
	})}
	if mtls {
		der, err := base64.RawStdEncoding.DecodeString(p.fields[5])
		if err != nil {
			p.kill()
			return nil, fmt.Errorf("server cert is not RawStd base64: %v", err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			p.kill()
			return nil, fmt.Errorf("server cert does not parse: %v", err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		p.clientT = &tls.Config{Certificates: []tls.Certificate{*clientCert}, RootCAs: pool,
			ServerName: "localhost", MinVersion: tls.VersionTLS12}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(p.clientT)))
	} else {
		opts = append(opts, grpc.WithInsecure())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.conn, err = grpc.DialContext(ctx, p.fields[3], opts...)
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("dial %s: %v", p.fields[3], err)
	}
	p.client = tfplugin6.NewProviderClient(p.conn)
	return p, nil
}

func (p *plugin) kill() {
	if p.conn != nil {
		p.conn.Close()
	}
	p.cmd.Process.Kill()
	<-p.exited
	os.RemoveAll(p.tmpdir)
}

// shutdown calls GRPCController/Shutdown and waits for the exit.
func (p *plugin) shutdown() (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := goplugin.NewGRPCControllerClient(p.conn).Shutdown(ctx, &goplugin.Empty{})
	if err != nil {
		p.kill()
		return 0, fmt.Errorf("Shutdown: %v", err)
	}
	p.conn.Close()
	select {
	case err := <-p.exited:
		d := time.Since(start)
		os.RemoveAll(p.tmpdir)
		if err != nil {
			return d, fmt.Errorf("exit after Shutdown: %v; stderr: %s", err, p.stderr.String())
		}
		return d, nil
	case <-time.After(3 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return 0, fmt.Errorf("still running 3s after Shutdown")
	}
}

func ctx() context.Context {
	c, _ := context.WithTimeout(context.Background(), 30*time.Second)
	return c
}

var revType = cty.Object(map[string]cty.Type{
	"repo_url": cty.String, "revision": cty.String, "sha": cty.String, "short_sha": cty.String,
	"message": cty.String, "author": cty.String, "time": cty.String, "ref": cty.String,
})

func revConfig(url, rev string) []byte {
	m := map[string]cty.Value{}
	for k := range revType.AttributeTypes() {
		m[k] = cty.NullVal(cty.String)
	}
	m["repo_url"] = cty.StringVal(url)
	if rev != "" {
		m["revision"] = cty.StringVal(rev)
	}
	b, err := ctymsgpack.Marshal(cty.ObjectVal(m), revType)
	if err != nil {
		panic(err)
	}
	return b
}


// configure sends ConfigureProvider with null attributes except the git block,
// typed from GetProviderSchema so this test follows the schema.
func configure(p *plugin, git map[string]cty.Value) error {
	s, err := p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{})
	if err != nil {
		return err
	}
	ty := impliedType(s.Provider.Block)
	attrs := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		attrs[name] = cty.NullVal(at)
	}
	if git != nil {
		gt := ty.AttributeType("git")
		g := map[string]cty.Value{}
		for name, at := range gt.AttributeTypes() {
			g[name] = cty.NullVal(at)
		}
		for k, v := range git {
			g[k] = v
		}
		attrs["git"] = cty.ObjectVal(g)
	}
	b, err := ctymsgpack.Marshal(cty.ObjectVal(attrs), ty)
	if err != nil {
		return err
	}
	r, err := p.client.ConfigureProvider(ctx(), &tfplugin6.ConfigureProvider_Request{
		TerraformVersion: "1.16.0", Config: &tfplugin6.DynamicValue{Msgpack: b}})
	if err != nil {
		return err
	}
	return diagErr(r.Diagnostics)
}

func impliedType(b *tfplugin6.Schema_Block) cty.Type {
	attrs := map[string]cty.Type{}
	for _, a := range b.Attributes {
		t, err := ctyTypeJSON(a.Type)
		if err != nil {
			panic(err)
		}
		attrs[a.Name] = t
	}
	for _, nb := range b.BlockTypes {
		inner := impliedType(nb.Block)
		switch nb.Nesting {
		case tfplugin6.Schema_NestedBlock_LIST:
			attrs[nb.TypeName] = cty.List(inner)
		case tfplugin6.Schema_NestedBlock_SET:
			attrs[nb.TypeName] = cty.Set(inner)
		case tfplugin6.Schema_NestedBlock_MAP:
			attrs[nb.TypeName] = cty.Map(inner)
		default:
			attrs[nb.TypeName] = inner
		}
	}
	return cty.Object(attrs)
}

func ctyTypeJSON(b []byte) (cty.Type, error) {
	var t cty.Type
	err := t.UnmarshalJSON(b)
	return t, err
}

func diagErr(ds []*tfplugin6.Diagnostic) error {
	for _, d := range ds {
		if d.Severity == tfplugin6.Diagnostic_ERROR {
			return fmt.Errorf("error diagnostic: %s: %s", d.Summary, d.Detail)
		}
	}
	return nil
}

func wantDiag(ds []*tfplugin6.Diagnostic, summary string) error {
	for _, d := range ds {
		if d.Severity == tfplugin6.Diagnostic_ERROR && strings.Contains(d.Summary, summary) {
			return nil
		}
	}
	return fmt.Errorf("no error diagnostic %q in %v", summary, ds)
}

// silentServer accepts TCP connections and never answers.
func silentServer() (string, func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return "http://" + l.Addr().String() + "/repo.git", func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}
}

func main() {
	if len(os.Args) >= 4 && os.Args[1] == "-bench" {
		n, _ := strconv.Atoi(os.Args[2])
		ref := ""
		if len(os.Args) > 4 {
			ref, _ = filepath.Abs(os.Args[4])
		}
		ours, _ := filepath.Abs(os.Args[3])
		if err := bench(n, ours, ref); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: protocol PROVIDER_BINARY | protocol -bench N PROVIDER_BINARY [REFERENCE]")
		os.Exit(2)
	}
	binary, _ = filepath.Abs(os.Args[1])

	check("no cookie: friendly message, exit 1, nothing on stdout", func() error {
		cmd := exec.Command(binary)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			return fmt.Errorf("exit: %v", err)
		}
		if out.Len() != 0 || !strings.Contains(errb.String(), "plugin") {
			return fmt.Errorf("stdout %q stderr %q", out.String(), errb.String())
		}
		return nil
	}())
	check("wrong cookie: exit 1", func() error {
		cmd := exec.Command(binary)
		cmd.Env = []string{"TF_PLUGIN_MAGIC_COOKIE=nope"}
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			return fmt.Errorf("exit: %v", err)
		}
		return nil
	}())

	check("plaintext handshake, schema, Shutdown exits within 1s", func() error {
		p, err := launch(false)
		if err != nil {
			return err
		}
		f := p.fields
		if f[0] != "1" || f[1] != "6" || f[2] != "unix" || f[4] != "grpc" || f[5] != "" {
			p.kill()
			return fmt.Errorf("handshake line %q", p.line)
		}
		if !strings.HasPrefix(f[3], p.tmpdir) {
			p.kill()
			return fmt.Errorf("socket %s not in PLUGIN_UNIX_SOCKET_DIR", f[3])
		}
		s, err := p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{})
		if err != nil {
			p.kill()
			return err
		}
		if s.Provider == nil || s.DataSourceSchemas["gitops_git_revision"] == nil {
			p.kill()
			return fmt.Errorf("schema lacks provider or gitops_git_revision")
		}
		sock := f[3]
		d, err := p.shutdown()
		if err != nil {
			return err
		}
		if d > time.Second {
			return fmt.Errorf("exit took %v", d)
		}
		if _, err := os.Stat(sock); err == nil {
			return fmt.Errorf("socket %s left behind", sock)
		}
		return nil
	}())

	check("AutoMTLS handshake: server cert field, TLS with client cert", func() error {
		p, err := launch(true)
		if err != nil {
			return err
		}
		if len(p.fields[5]) <= 50 || strings.ContainsAny(p.fields[5], "=\n-") {
			p.kill()
			return fmt.Errorf("cert field %q", p.fields[5])
		}
		if _, err := p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{}); err != nil {
			p.kill()
			return err
		}
		// A client with another certificate must be refused.
		other, _, _ := genCert()
		bad := p.clientT.Clone()
		bad.Certificates = []tls.Certificate{*other}
		c2, err := grpc.Dial(p.fields[3], grpc.WithTransportCredentials(credentials.NewTLS(bad)),
			grpc.WithDialer(func(a string, t time.Duration) (net.Conn, error) { return net.DialTimeout("unix", a, t) }))
		if err == nil {
			cctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			_, err = tfplugin6.NewProviderClient(c2).GetProviderSchema(cctx, &tfplugin6.GetProviderSchema_Request{})
			cancel()
			c2.Close()
			if err == nil {
				p.kill()
				return fmt.Errorf("a client with an untrusted certificate was served")
			}
		}
		// A plaintext client must be refused too.
		c3, _ := grpc.Dial(p.fields[3], grpc.WithInsecure(),
			grpc.WithDialer(func(a string, t time.Duration) (net.Conn, error) { return net.DialTimeout("unix", a, t) }))
		cctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err = tfplugin6.NewProviderClient(c3).GetProviderSchema(cctx, &tfplugin6.GetProviderSchema_Request{})
		cancel()
		c3.Close()
		if err == nil {
			p.kill()
			return fmt.Errorf("a plaintext client was served")
		}
		_, err = p.shutdown()
		return err
	}())

	for _, tc := range []struct{ env, want string }{{"6", "6"}, {"5", "6"}, {"abc, 6,7", "6"}, {"", "6"}} {
		tc := tc
		check(fmt.Sprintf("PLUGIN_PROTOCOL_VERSIONS=%q announces %s", tc.env, tc.want), func() error {
			p, err := launch(false, "PLUGIN_PROTOCOL_VERSIONS="+tc.env)
			if err != nil {
				return err
			}
			defer p.kill()
			if p.fields[1] != tc.want {
				return fmt.Errorf("announced %s", p.fields[1])
			}
			return nil
		}())
	}

	p, err := launch(true)
	if err != nil {
		check("launch for RPC tests", err)
		fmt.Printf("protocol: %d passed, %d failed\n", passed, failed)
		os.Exit(1)
	}
	check("GetResourceIdentitySchemas answers UNIMPLEMENTED", func() error {
		_, err := p.client.GetResourceIdentitySchemas(ctx(), &tfplugin6.GetResourceIdentitySchemas_Request{})
		if status.Code(err) != codes.Unimplemented {
			return fmt.Errorf("got %v", err)
		}
		return nil
	}())
	check("health check SERVING", func() error {
		r, err := healthpb.NewHealthClient(p.conn).Check(ctx(), &healthpb.HealthCheckRequest{Service: "plugin"})
		if err != nil {
			return err
		}
		if r.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("status %v", r.Status)
		}
		return nil
	}())
	check("GetMetadata lists the data source", func() error {
		r, err := p.client.GetMetadata(ctx(), &tfplugin6.GetMetadata_Request{})
		if err != nil {
			return err
		}
		for _, d := range r.DataSources {
			if d.TypeName == "gitops_git_revision" {
				return nil
			}
		}
		return fmt.Errorf("data sources %v", r.DataSources)
	}())
	check("malformed protobuf bytes: error diagnostic", func() error {
		out := &tfplugin6.ValidateDataResourceConfig_Response{}
		err := p.conn.Invoke(ctx(), "/tfplugin6.Provider/ValidateDataResourceConfig",
			rawMessage{0xff, 0xff, 0xff, 0x0a}, out, grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return err
		}
		return wantDiag(out.Diagnostics, "Malformed request")
	}())
	check("malformed msgpack config: error diagnostic", func() error {
		r, err := p.client.ValidateDataResourceConfig(ctx(), &tfplugin6.ValidateDataResourceConfig_Request{
			TypeName: "gitops_git_revision", Config: &tfplugin6.DynamicValue{Msgpack: []byte{0x83, 0xa1}}})
		if err != nil {
			return err
		}
		if diagErr(r.Diagnostics) == nil {
			return fmt.Errorf("no error diagnostic")
		}
		return nil
	}())
	check("unknown data source type: error diagnostic", func() error {
		r, err := p.client.ValidateDataResourceConfig(ctx(), &tfplugin6.ValidateDataResourceConfig_Request{
			TypeName: "gitops_nope", Config: &tfplugin6.DynamicValue{Msgpack: []byte{0xc0}}})
		if err != nil {
			return err
		}
		return wantDiag(r.Diagnostics, "Unknown type")
	}())
	check("computed-only attribute in config rejected with its path", func() error {
		cfg := map[string]cty.Value{}
		for k := range revType.AttributeTypes() {
			cfg[k] = cty.NullVal(cty.String)
		}
		cfg["repo_url"] = cty.StringVal("file:///x")
		cfg["sha"] = cty.StringVal("abc")
		b, _ := ctymsgpack.Marshal(cty.ObjectVal(cfg), revType)
		r, err := p.client.ValidateDataResourceConfig(ctx(), &tfplugin6.ValidateDataResourceConfig_Request{
			TypeName: "gitops_git_revision", Config: &tfplugin6.DynamicValue{Msgpack: b}})
		if err != nil {
			return err
		}
		for _, d := range r.Diagnostics {
			if d.Attribute != nil && len(d.Attribute.Steps) == 1 && d.Attribute.Steps[0].GetAttributeName() == "sha" {
				return nil
			}
		}
		return fmt.Errorf("diagnostics %v", r.Diagnostics)
	}())
	check("provider config conflict: diagnostic with attribute path", func() error {
		s, err := p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{})
		if err != nil {
			return err
		}
		ty := impliedType(s.Provider.Block)
		attrs := map[string]cty.Value{}
		for name, at := range ty.AttributeTypes() {
			attrs[name] = cty.NullVal(at)
		}
		g := map[string]cty.Value{}
		for name, at := range ty.AttributeType("git").AttributeTypes() {
			g[name] = cty.NullVal(at)
		}
		g["password"] = cty.StringVal("a")
		g["token"] = cty.StringVal("b")
		attrs["git"] = cty.ObjectVal(g)
		b, _ := ctymsgpack.Marshal(cty.ObjectVal(attrs), ty)
		r, err := p.client.ValidateProviderConfig(ctx(), &tfplugin6.ValidateProviderConfig_Request{Config: &tfplugin6.DynamicValue{Msgpack: b}})
		if err != nil {
			return err
		}
		for _, d := range r.Diagnostics {
			st := d.Attribute.GetSteps()
			if len(st) == 2 && st[0].GetAttributeName() == "git" && st[1].GetAttributeName() == "token" {
				return nil
			}
		}
		return fmt.Errorf("diagnostics %v", r.Diagnostics)
	}())
	check("configure", configure(p, map[string]cty.Value{
		"cache_dir": cty.StringVal(filepath.Join(p.tmpdir, "cache")), "timeout": cty.NumberIntVal(3)}))

	url, stopSilent := silentServer()
	check("10 concurrent reads of a silent remote run in parallel (timeout 3s each)", func() error {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := p.client.ReadDataSource(ctx(), &tfplugin6.ReadDataSource_Request{
					TypeName: "gitops_git_revision", Config: &tfplugin6.DynamicValue{Msgpack: revConfig(url, "main")}})
				if err == nil {
					err = wantDiag(r.Diagnostics, "")
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		if d := time.Since(start); d > 15*time.Second {
			return fmt.Errorf("took %v: calls were serialised", d)
		}
		return nil
	}())
	check("20 concurrent RPCs", func() error {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{})
				} else {
					var r *tfplugin6.ValidateDataResourceConfig_Response
					r, err = p.client.ValidateDataResourceConfig(ctx(), &tfplugin6.ValidateDataResourceConfig_Request{
						TypeName: "gitops_git_revision", Config: &tfplugin6.DynamicValue{Msgpack: revConfig("file:///x", "main")}})
					if err == nil {
						err = diagErr(r.Diagnostics)
					}
				}
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}())
	check("StopProvider cancels a read in flight", func() error {
		q, err := launch(false)
		if err != nil {
			return err
		}
		defer q.kill()
		if err := configure(q, map[string]cty.Value{"cache_dir": cty.StringVal(filepath.Join(q.tmpdir, "cache")),
			"timeout": cty.NumberIntVal(60)}); err != nil {
			return err
		}
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			r, err := q.client.ReadDataSource(ctx(), &tfplugin6.ReadDataSource_Request{
				TypeName: "gitops_git_revision", Config: &tfplugin6.DynamicValue{Msgpack: revConfig(url, "main")}})
			if err == nil {
				err = wantDiag(r.Diagnostics, "")
			}
			done <- err
		}()
		time.Sleep(500 * time.Millisecond)
		if r, err := q.client.StopProvider(ctx(), &tfplugin6.StopProvider_Request{}); err != nil || r.Error != "" {
			return fmt.Errorf("StopProvider: %v %v", err, r)
		}
		select {
		case err := <-done:
			if err != nil {
				return err
			}
			if d := time.Since(start); d > 5*time.Second {
				return fmt.Errorf("read returned after %v", d)
			}
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("read still running 10s after StopProvider")
		}
	}())
	stopSilent()
	_, err = p.shutdown()
	check("Shutdown after RPC tests", err)

	fmt.Printf("protocol: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	if r, ok := v.(rawMessage); ok {
		return r, nil
	}
	return protoMarshal(v)
}
func (rawCodec) Unmarshal(data []byte, v interface{}) error { return protoUnmarshal(data, v) }
func (rawCodec) Name() string                               { return "proto" }
