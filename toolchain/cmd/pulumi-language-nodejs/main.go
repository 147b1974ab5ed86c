// Command pulumi-language-nodejs is this project's own Node.js language host for
// the Pulumi engine.
//
// Why it exists: the Go module proxy does not serve Pulumi's own host
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers
// "403 Forbidden: This module version is not available" for every version and
// pseudo-version), and without a host the CLI can run neither a Node.js program
// nor a Node.js policy pack (v3.274.1 starts policy packs through the host's
// RunPlugin). This host implements the pulumirpc.LanguageRuntime contract from
// the published proto package and delegates the actual work to the entry points
// that the @pulumi/pulumi npm package ships:
//
//	Run        -> node <sdk>/cmd/run [flags] <program>               (stack programs)
//	RunPlugin  -> node <sdk>/cmd/run-policy-pack <engine> <pack dir> (analyzers)
//	              node <sdk>/cmd/run-plugin <plugin dir> [args]      (resource plugins)
//
// <sdk> is the @pulumi/pulumi package found by Node's own resolution from the
// program directory, so the SDK version is whatever package-lock.json pins.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is stamped at build time (-X main.version=...) with the pinned CLI version.
var version = "0.0.0-dev"

// userActionableExit is the exit code @pulumi/pulumi's run script uses after it
// has already printed an actionable message; the engine should then bail quietly.
const userActionableExit = 32

func main() {
	// The engine passes its own address as the last positional argument; flags
	// such as -tracing or -root may precede it and are accepted for compatibility.
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	flags.String("tracing", "", "tracing endpoint (ignored)")
	flags.String("root", "", "project root (ignored: the engine sends it per request)")
	flags.Bool("typescript", true, "ignored: read from the project's runtime options")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if flags.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-nodejs [flags] <engine-address>")
		os.Exit(2)
	}
	host := &nodeHost{engineAddress: flags.Arg(flags.NArg() - 1)}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: listen: %v\n", err)
		os.Exit(1)
	}
	server := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	pulumirpc.RegisterLanguageRuntimeServer(server, host)

	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)

	// On SIGINT/SIGTERM pass the signal on to our children (the program and
	// policy packs; the engine starts resource providers itself), then let them
	// finish: GracefulStop waits for the Run/RunPlugin calls, that is, for the
	// children to exit. Stop (which cancels the calls, see runChild) comes after
	// a grace period or at a second signal. The engine's own plugin shutdown
	// may end us sooner (SIGKILL after its grace); this only avoids killing a
	// child before it has had its signal.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig := <-signals
		host.signalChildren(sig)
		stopped := make(chan struct{})
		go func() {
			server.GracefulStop()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-signals:
			server.Stop()
		case <-time.After(shutdownGrace):
			server.Stop()
		}
	}()

	if err := server.Serve(listener); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: serve: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string

	mu       sync.Mutex
	children map[*exec.Cmd]struct{}
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins and GetRequiredPackages report nothing: every plugin this
// project uses is either bundled beside the CLI (the Node.js dynamic-provider
// shim) or deliberately absent (nothing may be downloaded at run time).
func (h *nodeHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *nodeHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies does not install: the project's setup script runs npm ci
// against the committed lock file, and a host that silently ran npm here would
// reach the network behind the user's back.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		return fmt.Errorf("node_modules is missing in %s: run `npm ci` there (this host never installs by itself)", dir)
	}
	return stream.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("dependencies already installed (npm ci is run by the project's setup)\n"),
	})
}

func (h *nodeHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node was not found on PATH")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the direct dependencies from package.json (the
// versions there are exact pins in this project).
func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	data, err := os.ReadFile(filepath.Join(req.GetInfo().GetProgramDirectory(), "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("parsing package.json: %w", err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for name, v := range manifest.Dependencies {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return resp, nil
}

// Run executes a stack program with @pulumi/pulumi's run script.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	sdk, err := findSDK(programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := runtimeOptions(info.GetOptions())

	args := append([]string{}, opts.nodeArgs...)
	args = append(args, filepath.Join(sdk, "cmd", "run"))
	flagPairs := [][2]string{
		{"monitor", req.GetMonitorAddress()},
		{"engine", h.engineAddress},
		{"organization", req.GetOrganization()},
		{"project", req.GetProject()},
		{"root-directory", info.GetRootDirectory()},
		{"stack", req.GetStack()},
		{"pwd", req.GetPwd()},
	}
	for _, kv := range flagPairs {
		if kv[1] != "" {
			args = append(args, "--"+kv[0]+"="+kv[1])
		}
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		args = append(args, fmt.Sprintf("--parallel=%d", req.GetParallel()))
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, filepath.Join(programDir, entry))
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	// The engine shows our stdout/stderr as the program's diagnostics.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	code, err := h.runChild(cmd)
	switch {
	case err != nil:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("running the program with node: %v", err)}, nil
	case code == userActionableExit:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case code != 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin starts a Node.js plugin (a policy pack or a resource provider) and
// streams its output back; the engine reads the plugin's port from that stdout.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	pluginDir := req.GetInfo().GetProgramDirectory()
	sdk, err := findSDK(pluginDir)
	if err != nil {
		return err
	}
	opts := runtimeOptions(req.GetInfo().GetOptions())
	args := append([]string{}, opts.nodeArgs...)
	switch req.GetKind() {
	case "analyzer":
		// run-policy-pack's usage: RUN <engine-address> <program>; the engine's
		// address is the only argument the engine passes to analyzers.
		args = append(args, filepath.Join(sdk, "cmd", "run-policy-pack"))
		args = append(args, req.GetArgs()...)
		args = append(args, pluginDir)
	default:
		args = append(args, filepath.Join(sdk, "cmd", "run-plugin"), pluginDir)
		args = append(args, req.GetArgs()...)
	}

	cmd := exec.CommandContext(stream.Context(), "node", args...)
	cmd.Dir = req.GetPwd()
	if req.GetKind() == "analyzer" {
		// @pulumi/policy reads the pack's version from ./package.json.
		cmd.Dir = pluginDir
	}
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript))

	var sendMu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(r)
	}
	cmd.Stdout = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	code, err := h.runChild(cmd)
	if err != nil {
		return fmt.Errorf("running plugin %s with node: %w", pluginDir, err)
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// How long children get to exit after a signal or a cancelled call before
// they are killed.
const shutdownGrace = 10 * time.Second

// runChild runs cmd (made with exec.CommandContext) to completion, tracking
// it so signals can be forwarded. A non-zero exit is reported as a code, not
// as an error. When the call's context ends (the engine cancels, or the server
// stops), the child gets SIGTERM and shutdownGrace to exit, not
// CommandContext's immediate SIGKILL, so the program can still report and
// flush what it was doing.
func (h *nodeHost) runChild(cmd *exec.Cmd) (int, error) {
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = shutdownGrace
	if err := cmd.Start(); err != nil {
		return -1, err
	}
	h.mu.Lock()
	if h.children == nil {
		h.children = map[*exec.Cmd]struct{}{}
	}
	h.children[cmd] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.children, cmd)
		h.mu.Unlock()
	}()

	err := cmd.Wait()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

func (h *nodeHost) signalChildren(sig os.Signal) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.children {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(sig)
		}
	}
}

type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	// The buffer is reused by the caller; the message must own its bytes.
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

var _ io.Writer = streamWriter(nil)

type nodeOptions struct {
	typescript bool
	tsconfig   string
	nodeArgs   []string
}

// runtimeOptions reads the `runtime.options` block of Pulumi.yaml /
// PulumiPolicy.yaml (typescript, tsconfig, nodeargs), with Pulumi's defaults.
func runtimeOptions(s *structpb.Struct) nodeOptions {
	opts := nodeOptions{typescript: true}
	if s == nil {
		return opts
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeArgs = strings.Fields(v)
	}
	return opts
}

// findSDK locates the @pulumi/pulumi package the way Node resolves it: in
// node_modules of the directory or any parent.
func findSDK(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi")
		if st, err := os.Stat(filepath.Join(candidate, "cmd", "run")); err == nil && st.IsDir() {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("@pulumi/pulumi was not found in node_modules of %s or its parents: run `npm ci`", abs)
}
