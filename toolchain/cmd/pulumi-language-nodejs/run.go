package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi-internal/netutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Run executes a stack program with @pulumi/pulumi's run script (official
// main.go:779-1081).
//
// Unlike the official host we do not put a resource-monitor proxy between the
// program and the engine, nor serve the synchronous-invoke pipes (--sync): the proxy
// only forwards calls and tags RegisterResource with "pulumi-runtime: nodejs", which
// the engine also infers from the Node gRPC client's user agent
// (pkg/resource/deploy/source_eval.go requestFromNodeJS), and @pulumi/pulumi 3.248
// never opens the pipes (runtime/settings.ts tryGetSyncInvokes has no caller).
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	engineClient, conn, err := h.connectToEngine()
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}

	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = defaultRunPath
	}
	runPath, err = locateModule(ctx, runPath, req.GetInfo().GetProgramDirectory(), nodeBin, false)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	return h.execRuntime(ctx, req, engineClient, nodeBin, runPath), nil
}

func (h *nodeHost) execRuntime(
	ctx context.Context, req *pulumirpc.RunRequest, engineClient pulumirpc.EngineClient, nodeBin, runPath string,
) *pulumirpc.RunResponse {
	args := h.constructArguments(req, runPath)
	cfg, err := constructConfig(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Errorf("failed to serialize configuration: %w", err).Error()}
	}
	secretKeys, err := constructConfigSecretKeys(req)
	if err != nil {
		return &pulumirpc.RunResponse{
			Error: fmt.Errorf("failed to serialize configuration secret keys: %w", err).Error(),
		}
	}

	env := os.Environ()
	env = append(env, "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)

	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}
	}
	// Only ever "true": with `typescript: false` a PULUMI_NODEJS_TYPESCRIPT the user
	// exported stays as it is, as under the official host.
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}

	// nodeargs are node's own options, before the run script; shell-style quoting is honoured.
	nodeArgs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}
	}
	var port int
	if req.GetAttachDebugger() {
		var debugArgs []string
		port, debugArgs, err = debuggerArgs()
		if err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}
		}
		nodeArgs = append(nodeArgs, debugArgs...)
	}
	nodeArgs = append(nodeArgs, args...)
	logging.V(5).Infoln("Language host launching process: ", nodeBin, strings.Join(nodeArgs, " "))

	// Hand the CLI's trace context to the program (official main.go:964-981).
	ctx, span := otel.Tracer("pulumi-language-nodejs").Start(ctx, "execRuntime")
	defer span.End()
	carrier := make(propagation.MapCarrier)
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if traceparent := carrier.Get("traceparent"); traceparent != "" {
		env = append(env, "TRACEPARENT="+traceparent)
	}
	if h.otelEndpoint != "" {
		env = append(env, "PULUMI_OTEL_EXPORTER_OTLP_ENDPOINT="+h.otelEndpoint)
	}

	// The program stops when the engine calls Cancel or the call itself ends: first
	// SIGINT, then a kill after 5 s (official main.go:985-995).
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	context.AfterFunc(ctx, cmdCancel)
	cmd := exec.CommandContext(cmdCtx, nodeBin, nodeArgs...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	// No cmd.Dir: node starts in our working directory (the engine starts us in the
	// program's directory) and the run script changes to --pwd itself.
	cmd.Env = env

	// Node may switch a shared stdout/stderr to non-blocking mode, so it never gets our
	// file descriptors: its output is copied (official main.go:999-1008, 2110-2135).
	// Stderr is also scanned for V8's out-of-memory report.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	stderrR, stderrW := io.Pipe()
	cmd.Stderr = stderrW
	sniffer := newOOMSniffer()
	sniffer.Scan(io.TeeReader(stderrR, os.Stderr))

	runErr := func() error {
		if err := cmd.Start(); err != nil {
			return err
		}
		children.add(cmd.Process)
		defer children.remove(cmd.Process)
		if req.GetAttachDebugger() {
			if err := startDebugging(ctx, engineClient, cmd, port, "Pulumi: Program (nodejs)"); err != nil {
				return err
			}
		}
		return cmd.Wait()
	}()
	// Node does not flush process.stdout/stderr writes before it exits; make sure the
	// engine has everything before it sees the result.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	_ = stderrW.Close()
	if runErr == nil {
		return &pulumirpc.RunResponse{}
	}

	var exitErr *exec.ExitError
	if !errors.As(runErr, &exitErr) {
		// We did not even get to run the program.
		return &pulumirpc.RunResponse{
			Error: fmt.Errorf("Problem executing program (could not run language executor): %w", runErr).Error(),
		}
	}
	switch code := exitErr.ExitCode(); code {
	case 0:
		return &pulumirpc.RunResponse{Error: fmt.Errorf("Program exited unexpectedly: %w", exitErr).Error()}
	case nodeJSProcessExitedAfterShowingUserActionableMessage:
		// The program has told the user what went wrong: the engine bails quietly.
		return &pulumirpc.RunResponse{Bail: true}
	default:
		msg := fmt.Sprintf("Program exited with non-zero exit code: %d", code)
		sniffer.Wait()
		if sniffer.Detected() {
			msg += ". " + sniffer.Message()
		}
		return &pulumirpc.RunResponse{Error: msg}
	}
}

// constructArguments builds the run script's command line exactly as the official
// host does (main.go:1086-1116): "--flag value" pairs for every non-empty value,
// --parallel always, and the entry point as the engine sent it ("." unless Pulumi.yaml
// has `main:`), so that the run script still looks up package.json's `main`/`exports`
// for ".".
func (h *nodeHost) constructArguments(req *pulumirpc.RunRequest, runPath string) []string {
	args := []string{runPath}
	maybeAppendArg := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	maybeAppendArg("monitor", req.GetMonitorAddress())
	maybeAppendArg("engine", h.engine())
	maybeAppendArg("organization", req.GetOrganization())
	maybeAppendArg("project", req.GetProject())
	maybeAppendArg("root-directory", req.GetInfo().GetRootDirectory())
	maybeAppendArg("stack", req.GetStack())
	maybeAppendArg("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	maybeAppendArg("parallel", strconv.Itoa(int(req.GetParallel())))
	maybeAppendArg("tracing", h.tracing)
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// constructConfig serialises the stack config for PULUMI_CONFIG with keys in the
// legacy "<namespace>:config:<name>" form (official main.go:1120-1145), which every
// @pulumi/pulumi reads; programs and their child processes see that form.
func constructConfig(req *pulumirpc.RunRequest) (string, error) {
	configMap := req.GetConfig()
	if configMap == nil {
		return "{}", nil
	}
	transformed := make(map[string]string, len(configMap))
	for k, v := range configMap {
		pk, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		transformed[pk.Namespace()+":config:"+pk.Name()] = v
	}
	b, err := json.Marshal(transformed)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func constructConfigSecretKeys(req *pulumirpc.RunRequest) (string, error) {
	keys := req.GetConfigSecretKeys()
	if keys == nil {
		return "[]", nil
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// debuggerArgs makes node wait for a debugger (official main.go:1521-1558).
func debuggerArgs() (int, []string, error) {
	port, err := netutil.FindNextAvailablePort(preferredDebugPort)
	if err != nil {
		return 0, nil, fmt.Errorf("failed to find available port for debugger: %w", err)
	}
	return port, []string{
		fmt.Sprintf("--inspect-brk=%d", port),
		"--inspect-publish-uid=http", // no "Debugger listening on..." on the console
	}, nil
}

// startDebugging tells the engine where to attach (official main.go:1560-1605).
func startDebugging(
	ctx context.Context, engineClient pulumirpc.EngineClient, cmd *exec.Cmd, port int, name string,
) error {
	cfg := map[string]any{
		"name":             name,
		"type":             "node",
		"request":          "attach",
		"processId":        cmd.Process.Pid,
		"continueOnAttach": true,
		"skipFiles":        []any{"<node_internals>/**"},
	}
	message := fmt.Sprintf("on process id %d", cmd.Process.Pid)
	if port != preferredDebugPort {
		cfg["port"] = port
		message += fmt.Sprintf(" and port %d", port)
	}
	debugConfig, err := structpb.NewStruct(cfg)
	if err != nil {
		return err
	}
	if _, err := engineClient.StartDebugging(ctx, &pulumirpc.StartDebuggingRequest{
		Config:  debugConfig,
		Message: message,
	}); err != nil {
		return fmt.Errorf("unable to start debugging: %w", err)
	}
	return nil
}

// oomSniffer watches the program's stderr for V8's out-of-memory report so the error
// can point at the `nodeargs` option (official main.go:2137-2195, same message).
type oomSniffer struct {
	detected bool
	timeout  time.Duration
	waitChan chan struct{}
}

func newOOMSniffer() *oomSniffer {
	return &oomSniffer{timeout: 15 * time.Second, waitChan: make(chan struct{})}
}

func (o *oomSniffer) Detected() bool { return o.detected }

// Wait returns once the sniffer has seen an OOM report or the end of the output,
// or after its timeout.
func (o *oomSniffer) Wait() {
	select {
	case <-o.waitChan:
	case <-time.After(o.timeout):
	}
}

func (o *oomSniffer) Message() string {
	return "Detected a possible out of memory error. Consider increasing the memory available to the nodejs process " +
		"by setting the `nodeargs` runtime option in Pulumi.yaml to `nodeargs: --max-old-space-size=<size>` where " +
		"`<size>` is the maximum memory in megabytes that can be allocated to nodejs. " +
		"See https://www.pulumi.com/docs/concepts/projects/project-file/#runtime-options"
}

func (o *oomSniffer) Scan(r io.Reader) {
	go func() {
		scanner := bufio.NewScanner(r)
		for scanner.Scan() {
			line := scanner.Text()
			// The second pattern: the inspector hooks can turn V8's OOM report into a
			// failed assertion (pulumi/pulumi#16596).
			if !o.detected && (strings.Contains(line, "<--- Last few GCs --->") ||
				strings.Contains(line, "Check failed: needs_context && current_scope_ == closure_scope_")) {
				o.detected = true
				close(o.waitChan)
			}
		}
		// A line longer than the scanner's buffer stops it; keep passing the rest of
		// stderr through so the program never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, r)
		if !o.detected {
			close(o.waitChan)
		}
	}()
}
