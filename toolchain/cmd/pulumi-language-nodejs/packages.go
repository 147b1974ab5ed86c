package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/executable"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetRequiredPackages reports every package under node_modules whose package.json
// says `"pulumi": {"resource": true}` (official main.go:480-527 and 536-751). For this
// project that is @pulumi/azuread, so the engine tries to install the azuread plugin
// before an operation; that attempt is best effort (pkg/engine/update.go), and with
// PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION it fails quietly, as the offline CLI runs.
// The versions reported also pick the default providers' versions.
func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	// Search from the program directory, deeply; a package required from outside it
	// is missed, as with the official host.
	pulumiVersions := make(map[string]semver.Version)
	packages, err := getPackagesFromDir(
		req.GetInfo().GetProgramDirectory(), pulumiVersions, false, make(map[string]struct{}))
	if err == nil {
		warnIncompatiblePulumiVersions(pulumiVersions)
	} else {
		logging.V(3).Infof("one or more errors while discovering plugins: %s", err)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// warnIncompatiblePulumiVersions prints the official host's warning (to our stderr,
// which the engine shows) when two copies of @pulumi/pulumi cannot work together.
func warnIncompatiblePulumiVersions(versions map[string]semver.Version) {
	first := true
	var firstPath string
	var firstVersion semver.Version
	for path, v := range versions {
		if first {
			first, firstPath, firstVersion = false, path, v
			continue
		}
		if ok, message := compatibleVersions(v, firstVersion); !ok {
			fmt.Fprintf(os.Stderr, `Found incompatible versions of @pulumi/pulumi. %s
  Version %s referenced at %s
  Version %s referenced at %s
`, message, firstVersion, firstPath, v, path)
			break
		}
	}
}

func compatibleVersions(a, b semver.Version) (bool, string) {
	switch {
	case a.Major == 0 && b.Major == 0:
		if a.Minor != b.Minor {
			return false, "Differing major or minor versions are not supported."
		}
	case a.Major >= 1 && a.Major <= 2 && b.Major >= 1 && b.Major <= 2:
		// 1.x and 2.x are compatible with each other.
	case a.Major > 2 || b.Major > 2:
		if a.Major != b.Major {
			return false, "Differing major versions are not supported."
		}
	case a.Major == 1 && b.Major == 0 && b.Minor == 17 || b.Major == 1 && a.Major == 0 && a.Minor == 17:
		// 0.17.z and 1.x.y were unified.
	default:
		return false, "Differing major or minor versions are not supported."
	}
	return true, ""
}

// getPackagesFromDir walks dir deeply (following symbolic links once, skipping nested
// policy packs, whose plugins are not the program's) and collects the plugin-bearing
// packages found in node_modules, and the version of every @pulumi/pulumi copy.
func getPackagesFromDir(
	dir string, pulumiVersions map[string]semver.Version, inNodeModules bool, visited map[string]struct{},
) ([]*pulumirpc.PackageDependency, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("getting full path for plugin dir %s: %w", dir, err)
	}
	if _, seen := visited[dir]; seen {
		return nil, nil
	}
	visited[dir] = struct{}{}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading plugin dir %s: %w", dir, err)
	}

	var packages []*pulumirpc.PackageDependency
	var errs []error
	for _, entry := range entries {
		name := entry.Name()
		curr := filepath.Join(dir, name)
		isDir := entry.IsDir()
		if entry.Type()&fs.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(curr)
			if err != nil {
				errs = append(errs, fmt.Errorf("resolving link in plugin dir %s: %w", curr, err))
				continue
			}
			curr = resolved
			fi, err := os.Stat(curr)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			isDir = fi.IsDir()
		}

		if isDir {
			policyPack, err := workspace.DetectPolicyPackPathAt(curr)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if policyPack != "" {
				continue
			}
			more, err := getPackagesFromDir(
				curr, pulumiVersions, inNodeModules || filepath.Base(dir) == "node_modules", visited)
			if err != nil {
				errs = append(errs, err)
			}
			packages = append(packages, more...)
			continue
		}
		if !inNodeModules || name != "package.json" {
			continue
		}

		b, err := os.ReadFile(curr)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading package.json %s: %w", curr, err))
			continue
		}
		var info packageJSON
		if err := json.Unmarshal(b, &info); err != nil {
			errs = append(errs, fmt.Errorf("unmarshaling package.json %s: %w", curr, err))
			continue
		}
		if info.Name == "@pulumi/pulumi" {
			v, err := semver.Parse(info.Version)
			if err != nil {
				errs = append(errs, fmt.Errorf("Could not understand version %s in '%s': %w", info.Version, curr, err))
				continue
			}
			pulumiVersions[curr] = v
		}
		pkg, err := packageDependency(info)
		if err != nil {
			errs = append(errs, fmt.Errorf("unmarshaling package.json %s: %w", curr, err))
		} else if pkg != nil {
			packages = append(packages, pkg)
		}
	}
	return packages, errors.Join(errs...)
}

// packageJSON is the part of package.json the plugin discovery reads.
type packageJSON struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
}

// packageDependency returns the resource plugin a package needs, or nil.
func packageDependency(info packageJSON) (*pulumirpc.PackageDependency, error) {
	if !info.Pulumi.Resource {
		return nil, nil
	}
	name, err := pluginName(info)
	if err != nil {
		return nil, err
	}
	version, err := pluginVersionOf(info)
	if err != nil {
		return nil, err
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: version,
		Server:  info.Pulumi.Server,
	}
	if p := info.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	if p := info.Pulumi.ExtensionParameterization; p != nil {
		dep.Extension = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep, nil
}

// pluginName: the "pulumi" section's name, else the simple name of an @pulumi/ package.
func pluginName(info packageJSON) (string, error) {
	if info.Pulumi.Name != "" {
		return info.Pulumi.Name, nil
	}
	if info.Name == "" {
		return "", errors.New("missing expected \"name\" property")
	}
	if strings.HasPrefix(info.Name, "@pulumi/") {
		return strings.TrimPrefix(info.Name, "@pulumi/"), nil
	}
	return "", fmt.Errorf("Missing property \"name\" for the third-party plugin '%v' "+
		"inside package.json under the \"pulumi\" section.", info.Name)
}

// pluginVersionOf: the "pulumi" section's version, else the package's, "v"-prefixed.
func pluginVersionOf(info packageJSON) (string, error) {
	v := info.Pulumi.Version
	if v == "" {
		if v = info.Version; v == "" {
			return "", errors.New("Missing expected \"version\" property")
		}
	}
	if !strings.HasPrefix(v, "v") {
		return "v" + v, nil
	}
	return v, nil
}

// GetProgramDependencies lists the installed packages from the lock file of the
// package manager the official host would pick (`pulumi about`, official
// main.go:1492-1519, through the same sdk/v3 nodejs/npm package).
func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	pm, err := npm.ResolvePackageManager(opts.packagemanager, req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, fmt.Errorf("failed to determine package manager: %w", err)
	}
	packages, err := pm.ListPackages(ctx, req.GetInfo().GetProgramDirectory(), req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// About reports node (path and `node --version`, "v" included), the package manager
// and the TypeScript the program would load (official main.go:1385-1469).
func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	pm, err := npm.ResolvePackageManager(opts.packagemanager, req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, fmt.Errorf("could not resolve packagemanager: %w", err)
	}
	nodeExecutable, err := executable.FindExecutable("node")
	if err != nil {
		return nil, fmt.Errorf("could not find executable %q: %w", "node", err)
	}

	var nodeVersion, pmVersion, tsVersion string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if out, err := exec.CommandContext(gctx, "node", "--version").Output(); err == nil {
			nodeVersion = strings.TrimSpace(string(out))
		}
		return nil
	})
	g.Go(func() error {
		if v, err := pm.Version(); err == nil {
			pmVersion = v.String()
		}
		return nil
	})
	g.Go(func() error {
		// The TypeScript the program resolves, not a `tsc` on PATH.
		cmd := exec.CommandContext(gctx, "node", "-e", "console.log(require('typescript/package.json').version)")
		cmd.Dir = req.GetInfo().GetProgramDirectory()
		if out, err := cmd.Output(); err == nil {
			tsVersion = strings.TrimSpace(string(out))
		}
		return nil
	})
	_ = g.Wait() // every task swallows its own error

	metadata := map[string]string{"packagemanager": pm.Name(), "packagemanagerVersion": pmVersion}
	if tsVersion != "" {
		metadata["typescriptVersion"] = tsVersion
	}
	return &pulumirpc.AboutResponse{Executable: nodeExecutable, Version: nodeVersion, Metadata: metadata}, nil
}

// InstallDependencies deliberately does not install (the one intended difference from
// the official host, which runs `npm install`, or yarn/pnpm/bun, here): the project's
// setup runs `npm ci` against the committed lock file, and a host that ran npm on its
// own would reach the network behind the user's back. It checks instead that Node
// resolves @pulumi/pulumi from the directory, as Run and RunPlugin will.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := req.GetInfo().GetProgramDirectory()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	if _, err := locateModule(stream.Context(), defaultRunPath, dir, nodeBin, req.GetIsPlugin()); err != nil {
		return fmt.Errorf("%s(this language host never installs dependencies itself: run `npm ci` in the project)",
			err.Error())
	}
	return stream.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("dependencies already installed (npm ci is run by the project's setup)\n"),
	})
}
