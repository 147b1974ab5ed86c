package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"

	"github.com/google/shlex"
	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin starts a Node.js plugin: a policy pack (kind "analyzer") or a plugin
// project (PulumiPlugin.yaml), and streams its output back; the engine reads the
// plugin's port from that stdout. It follows the official RunPlugin
// (main.go:1607-1807):
//
//   - the environment is exactly the one the engine sends (it already holds the
//     engine's own), plus PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH;
//   - the entry point comes first and the `nodeargs` option after it, so those words
//     reach the entry point's argument list, not node;
//   - a policy pack runs in its own directory, gets the engine's arguments before
//     its directory, and is started behind sdk.PolicyProxy: the engine handshakes
//     with the proxy and sends it the stack configuration, and only then does the
//     pack start, with PULUMI_NODEJS_ORGANIZATION/PROJECT/STACK/DRY_RUN and
//     PULUMI_CONFIG set from it, so `new pulumi.Config()` and `pulumi.getStack()`
//     inside a pack see the stack being checked;
//   - a non-zero exit is returned as the call's error; a clean exit ends the stream.
//
// The plugin is killed (SIGKILL) as soon as the engine ends the call, as with the
// official host's exec.CommandContext.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	logging.V(5).Infof("Attempting to run nodejs plugin in %s", req.GetInfo().GetProgramDirectory())
	ctx := stream.Context()

	engineClient, conn, err := h.connectToEngine()
	if err != nil {
		return err
	}
	defer conn.Close()

	// gRPC streams must not be written to concurrently; node's stdout and stderr are
	// copied by two goroutines.
	var sendMu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(r)
	}
	var stdout io.Writer = streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	stderr := streamWriter(func(b []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}

	env := req.GetEnv()
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}

	isAnalyzer := req.GetKind() == string(apitype.AnalyzerPlugin)
	runPath := "@pulumi/pulumi/cmd/run-policy-pack"
	if !isAnalyzer {
		if runPath = os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); runPath == "" {
			runPath = "@pulumi/pulumi/cmd/run-plugin"
		}
	}
	pluginDir := req.GetInfo().GetProgramDirectory()
	runPath, err = locateModule(ctx, runPath, pluginDir, nodeBin, true)
	if err != nil {
		return err
	}

	var args []string
	var port int
	if req.GetAttachDebugger() {
		if port, args, err = debuggerArgs(); err != nil {
			return err
		}
	}
	args = append(args, runPath)
	nodeArgs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return err
	}
	args = append(args, nodeArgs...)
	if isAnalyzer {
		args = append(args, req.GetArgs()...)
		args = append(args, pluginDir)
	} else {
		args = append(args, pluginDir)
		args = append(args, req.GetArgs()...)
	}

	var proxy *sdk.PolicyProxy
	if isAnalyzer {
		// The proxy prints its own port on stdout; the pack's output goes through it.
		if proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout); err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if stack != nil {
			maybeAppendEnv := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			maybeAppendEnv("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
			maybeAppendEnv("PULUMI_NODEJS_PROJECT", stack.GetProject())
			maybeAppendEnv("PULUMI_NODEJS_STACK", stack.GetStack())
			maybeAppendEnv("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
			if stack.GetConfig() != nil {
				configJSON, err := json.Marshal(stack.GetConfig())
				if err != nil {
					return fmt.Errorf("could not marshal stack configuration: %w", err)
				}
				maybeAppendEnv("PULUMI_CONFIG", string(configJSON))
			}
		}
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	if isAnalyzer {
		// Node policy packs have always run in their own directory (@pulumi/policy
		// reads the pack's package.json from there).
		cmd.Dir = pluginDir
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logging.V(5).Infof("Constructed NodeJS command to run: %s", cmd)

	runErr := func() error {
		if err := cmd.Start(); err != nil {
			return err
		}
		children.add(cmd.Process)
		defer children.remove(cmd.Process)
		if req.GetAttachDebugger() {
			if err := startDebugging(ctx, engineClient, cmd, port,
				fmt.Sprintf("Pulumi: Plugin (%s)", req.GetName())); err != nil {
				return err
			}
		}
		if proxy != nil {
			// Attach reads the pack's port, connects, forwards the stack
			// configuration, and returns when the pack exits.
			if err := proxy.Attach(ctx, cmd); err != nil {
				return fmt.Errorf("could not attach policy pack proxy: %w", err)
			}
			return nil
		}
		return cmd.Wait()
	}()
	if runErr == nil {
		return nil
	}
	if proxy != nil {
		// The engine already has the proxy's port, so it would otherwise wait forever
		// for a pack that never attached: reject its calls with this error instead
		// (pulumi/pulumi#24492, sdk/v3 v3.274.1 policy_proxy.go Abort).
		proxy.Abort(runErr)
	}
	var exitErr *exec.ExitError
	if errors.As(runErr, &exitErr) {
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			return fmt.Errorf("Program exited with non-zero exit code: %d", status.ExitStatus())
		}
		return fmt.Errorf("Program exited unexpectedly: %w", exitErr)
	}
	return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", runErr)
}

// streamWriter sends what a child writes as RunPlugin or InstallDependencies messages.
type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	// The caller reuses its buffer; the message must own its bytes.
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
