// Command pulumi-language-nodejs is this project's own Node.js language host for
// the Pulumi engine.
//
// Why it exists: the Go module proxy does not serve Pulumi's own host
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers
// "403 Forbidden: This module version is not available" for every version and
// pseudo-version), and without a host the CLI can run neither a Node.js program
// nor a Node.js policy pack (v3.274.1 starts policy packs through the host's
// RunPlugin). This host implements the pulumirpc.LanguageRuntime contract and
// delegates the actual work to the entry points that the @pulumi/pulumi npm
// package ships, resolved by Node itself from the program's directory:
//
//	Run        -> node [nodeargs] @pulumi/pulumi/cmd/run --monitor ... <entry point> [args]
//	RunPlugin  -> node @pulumi/pulumi/cmd/run-policy-pack [nodeargs] <args> <pack dir>  (analyzers)
//	              node @pulumi/pulumi/cmd/run-plugin [nodeargs] <plugin dir> <args>     (other plugins)
//
// It follows Pulumi's official host (sdk/nodejs/cmd/pulumi-language-nodejs/main.go
// in pulumi/pulumi; compared at commit 1b5949891b, the newest one available here,
// plus the v3.274.1 sources of the sdk/v3 module this build pins) call for call, and
// reuses that module's own helpers (rpcutil, PolicyProxy, nodejs/npm) where the
// official host does, so the project behaves as it does under the official CLI.
// The deliberate differences (no dependency installation, no code generation, no
// Bun runtime, no synchronous-invoke pipes or monitor proxy) are listed in the
// README's toolchain section.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped at build time (-X main.version=...) with the pinned CLI version.
var version = "0.0.0-dev"

// pluginVersion is the version GetPluginInfo and -version report. Official builds stamp
// sdk/go/common/version.Version with a leading "v" (.goreleaser.yml), so we report it
// the same way whether or not the build script kept the prefix.
func pluginVersion() string {
	if strings.HasPrefix(version, "v") {
		return version
	}
	return "v" + version
}

const (
	// The entry point Run starts; PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it (official main.go:98).
	defaultRunPath = "@pulumi/pulumi/cmd/run"

	// The exit code @pulumi/pulumi's run script uses after it has already printed an
	// actionable message; the engine then bails without printing anything more.
	nodeJSProcessExitedAfterShowingUserActionableMessage = 32

	// The port --inspect-brk prefers, as in the official host (main.go:114).
	preferredDebugPort = 9229
)

// main mirrors the official main (main.go:120-199): the same flags, the engine address
// as the first positional argument, a health check against the engine, and on SIGINT a
// graceful stop that lets running calls finish. It does not forward signals to its
// children: the engine signals the whole process group (cmdutil.InterruptChildren), and
// asks for cancellation through the Cancel RPC.
func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	var runtimeName string
	flag.StringVar(&runtimeName, "runtime", "nodejs",
		"Specify the runtime to use for running TypeScript programs, defaults to `nodejs`")
	showVersion := flag.Bool("version", false, "Print the current plugin version and exit")
	// The logging package brings glog's -v and -logtostderr, which the engine passes
	// to every plugin when run with --logflow (plugin.buildPluginArguments).
	flag.Parse()

	if *showVersion {
		fmt.Println(pluginVersion())
		os.Exit(0)
	}

	args := flag.Args()
	logging.InitLogging(false, 0, false)

	// Like the official host, use OTel when the CLI provides an OTLP endpoint and
	// OpenTracing otherwise, so the program's spans join the CLI's trace.
	otelEndpoint := os.Getenv("PULUMI_OTEL_EXPORTER_OTLP_ENDPOINT")
	if otelEndpoint == "" {
		cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", tracing)
	} else {
		if err := cmdutil.InitOtelTracing("pulumi-language-nodejs", otelEndpoint); err != nil {
			logging.V(3).Infof("failed to initialize OTel tracing: %v", err)
		}
		defer cmdutil.CloseOtelTracing()
	}

	var engineAddress string
	if len(args) > 0 {
		engineAddress = args[0]
	}

	// The official host also runs Bun programs (-runtime bun); this one runs Node only.
	if runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime: %s", runtimeName))
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel() // deregister the interrupt handler: a second SIGINT ends us at once
		close(cancelChannel)
	}()

	// If the engine goes away, stop serving instead of lingering as an orphan: the official
	// health check (every 5 minutes), and our own parent watch (every second, orphan.go).
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
		exitWhenOrphaned(os.Getppid(), time.Second)
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newNodeHost(engineAddress, tracing, otelEndpoint))
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// nodeHost serves the LanguageRuntime RPCs. Those it does not implement answer
// Unimplemented, as the official host does for GetRequiredPlugins (superseded by
// GetRequiredPackages, official main.go:530-534); the official host's code
// generation RPCs (GenerateProject/Program/Package, Pack, Link, Template) are not
// needed to preview, update, refresh or destroy this project.
type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string

	tracing      string
	otelEndpoint string

	// cancelCtx ends when the engine calls Cancel; a running program is then
	// interrupted (see execRuntime), as in the official host.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newNodeHost(engineAddress, tracing, otelEndpoint string) *nodeHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &nodeHost{
		engineAddress: engineAddress,
		tracing:       tracing,
		otelEndpoint:  otelEndpoint,
		cancelCtx:     ctx,
		cancelFunc:    cancel,
	}
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// connectToEngine makes the engine client used to announce a debugger
// (official main.go:395-413); it fails when no engine address is known.
func (h *nodeHost) connectToEngine() (pulumirpc.EngineClient, *grpc.ClientConn, error) {
	addr := h.engine()
	if addr == "" {
		return nil, nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	conn, err := grpc.NewClient(addr,
		append(rpcutil.TracingInterceptorDialOptions(),
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			rpcutil.GrpcChannelOptions())...)
	if err != nil {
		return nil, nil, fmt.Errorf("language host could not make connection to engine: %w", err)
	}
	return pulumirpc.NewEngineClient(conn), conn, nil
}

// Handshake is used when the engine attaches to an already running host
// (official main.go:1471-1490).
func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		cancel()
	}()
	if err := rpcutil.Healthcheck(ctx, req.GetEngineAddress(), 5*time.Minute, cancel); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// Cancel is what the engine calls when an operation is cancelled (Ctrl-C) and
// before it closes the host; it interrupts a running program (official main.go:2308).
func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersion()}, nil
}

// RuntimeOptionsPrompts offers the package manager choice `pulumi new` asks about
// (official main.go:1334-1359).
func (h *nodeHost) RuntimeOptionsPrompts(
	_ context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	var prompts []*pulumirpc.RuntimeOptionPrompt
	if _, has := req.GetInfo().GetOptions().AsMap()["packagemanager"]; !has {
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key:         "packagemanager",
			Description: "The package manager to use for installing dependencies",
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			Choices:     plugin.MakeExecutablePromptChoices("npm", "pnpm", "yarn", "bun"),
			Default: &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
				PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
				StringValue: "npm",
			},
		})
	}
	return &pulumirpc.RuntimeOptionsResponse{Prompts: prompts}, nil
}

// nodeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml.
type nodeOptions struct {
	typescript     bool   // register ts-node (default true)
	tsconfigpath   string // tsconfig: the file ts-node reads (PULUMI_NODEJS_TSCONFIG_PATH)
	nodeargs       string // extra arguments for node, split like a shell would
	packagemanager npm.PackageManagerType
	production     bool
}

// parseOptions matches the official parseOptions (main.go:291-376), errors included:
// an option of the wrong type fails the call instead of being ignored.
func parseOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packagemanager: npm.AutoPackageManager}

	if v, ok := options["typescript"]; ok {
		ts, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = ts
	}
	if v, ok := options["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfigpath option must be a string")
		}
		opts.tsconfigpath = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeargs = s
	}
	if v, ok := options["production"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("production option must be a boolean")
		}
		opts.production = b
	}
	if v, ok := options["packagemanager"]; ok {
		pm, ok := v.(string)
		if !ok {
			return opts, errors.New("packagemanager option must be a string")
		}
		switch npm.PackageManagerType(pm) {
		case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager,
			npm.PnpmPackageManager, npm.BunPackageManager:
			opts.packagemanager = npm.PackageManagerType(pm)
		default:
			return opts, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %q", pm)
		}
	}
	return opts, nil
}

// locateModule resolves a module the way the program will load it: with Node's own
// require.resolve from programDir, so NODE_PATH, package "exports" and parent
// node_modules all count (official main.go:201-252, same messages).
func locateModule(ctx context.Context, mod, programDir, nodeBin string, isPlugin bool) (string, error) {
	installCommand := "pulumi install"
	if isPlugin {
		installCommand = "npm install in " + programDir
	}
	// One line: Volta's shims mishandle newlines in arguments (pulumi/pulumi#16393).
	script := fmt.Sprintf(`try { console.log(require.resolve('%s')); } catch (error) { `+
		`if (error.code === 'MODULE_NOT_FOUND') { `+
		`console.error("It looks like the Pulumi SDK has not been installed. Have you run %s?") `+
		`} else { console.error(error.message); } process.exit(1); }`, mod, installCommand)

	cmd := exec.CommandContext(ctx, nodeBin, "-e", script)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(string(ee.Stderr))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
