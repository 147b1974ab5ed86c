/**
 * Setup checks before a session connects: is there a pwsh at exchange:pwshPath, and does it have
 * an ExchangeOnlineManagement it can load? Both fail fast, once, with what to do: a retry can't
 * install PowerShell or a module (before, a missing pwsh cost 38 s of "session lost: retrying").
 *
 * Module versions and the PowerShell 7 they need, from "About the Exchange Online PowerShell
 * module" (office-docs-powershell exchange/docs-conceptual/exchange-online-powershell-v2.md,
 * "Supported operating systems"): 3.10.0 or later need PowerShell 7.6.0; 3.5.0 to 3.9.2 need 7.4.0;
 * 3.0.0 to 3.4.0 need 7.2.0. 3.0.0 made REST the default; -AccessToken came in 3.1.0.
 */
import * as fs from "fs";
import * as path from "path";
import type { HostProbe } from "./host-probe";

export const EXO_MODULE = "ExchangeOnlineManagement";

/** The oldest module this project speaks to: REST cmdlets (3.0.0) and -AccessToken (3.1.0). */
export const MIN_MODULE_VERSION = "3.1.0";

/** Newest first: the module versions each PowerShell 7 line runs, and the one to install there. */
const MODULE_LINES: ReadonlyArray<{ fromModule: string; needsPwsh: string; install: string }> = [
    { fromModule: "3.10.0", needsPwsh: "7.6.0", install: "3.10.1" },
    { fromModule: "3.5.0", needsPwsh: "7.4.0", install: "3.9.2" },
    { fromModule: "3.0.0", needsPwsh: "7.2.0", install: "3.4.0" },
];

/** Numeric parts of "7.4.6", "3.9.2", "7.6.0-preview.3" (a pre-release counts as its release). */
function parts(version: string): number[] {
    return version
        .trim()
        .split(/[-+]/)[0]
        .split(".")
        .map((p) => Number.parseInt(p, 10))
        .map((n) => (Number.isFinite(n) ? n : 0));
}

/** Orders two dotted versions (negative: a < b). */
export function compareVersions(a: string, b: string): number {
    const x = parts(a);
    const y = parts(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) {
            return d;
        }
    }
    return 0;
}

/** The PowerShell 7 a module version needs (2.x: 7.0, which every supported pwsh has). */
export function pwshNeededBy(moduleVersion: string): string {
    return MODULE_LINES.find((l) => compareVersions(moduleVersion, l.fromModule) >= 0)?.needsPwsh ?? "7.0.0";
}

/** The module version to install on this PowerShell, or undefined when none runs on it. */
export function moduleToInstall(psVersion: string): string | undefined {
    return MODULE_LINES.find((l) => compareVersions(psVersion, l.needsPwsh) >= 0)?.install;
}

/** The installed versions this pwsh can load and this project can use, newest first. */
export function usableModules(probe: HostProbe): string[] {
    return probe.modules
        .filter((v) => compareVersions(v, MIN_MODULE_VERSION) >= 0 && compareVersions(probe.psVersion, pwshNeededBy(v)) >= 0)
        .sort((a, b) => compareVersions(b, a));
}

/**
 * The module to import, or the one-line reason there is none, naming the module, the pwsh found,
 * and the exact Install-Module line for that PowerShell version.
 */
export function chooseModule(probe: HostProbe, pwshPath: string): { version: string } | { problem: string } {
    const usable = usableModules(probe);
    if (usable.length > 0) {
        return { version: usable[0] };
    }
    const host = `${pwshPath} (PowerShell ${probe.psVersion})`;
    const install = moduleToInstall(probe.psVersion);
    if (install === undefined) {
        return {
            problem:
                `${host} is too old for ${EXO_MODULE} 3: install PowerShell 7.4 or later ` +
                `(https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux) and point exchange:pwshPath at it`,
        };
    }
    const line = `${pwshPath} -NoProfile -Command "Install-Module -Name ${EXO_MODULE} -RequiredVersion ${install} -Scope CurrentUser"`;
    const installed = [...probe.modules].sort((a, b) => compareVersions(b, a));
    let why: string;
    if (installed.length === 0) {
        why = `${EXO_MODULE} is not installed for ${host}`;
    } else if (installed.every((v) => compareVersions(v, MIN_MODULE_VERSION) < 0)) {
        why = `${EXO_MODULE} ${installed.join(", ")} for ${host} is too old: this project needs ${MIN_MODULE_VERSION} or later (REST cmdlets)`;
    } else {
        const newest = installed[0];
        why = `${EXO_MODULE} ${installed.join(", ")} can't load in ${host}: ${newest} needs PowerShell ${pwshNeededBy(newest)} or later`;
    }
    return { problem: `${why}; install ${install}, the newest that runs on PowerShell ${probe.psVersion}: ${line}` };
}

/**
 * Where the pwsh of exchange:pwshPath is: a path as given, or a bare name looked up on PATH.
 * Returns the reason when there is none, naming the path tried and the config key.
 */
export function locatePwsh(pwshPath: string, env: NodeJS.ProcessEnv = process.env): { found: string } | { problem: string } {
    const executable = (file: string): boolean => {
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return fs.statSync(file).isFile();
        } catch {
            return false;
        }
    };
    const fix =
        "install PowerShell 7.4 or later (https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux) " +
        "and set exchange:pwshPath to it (e.g. pwsh or /usr/bin/pwsh), or remove exchange:pwshPath to use the embedded emulator";
    if (pwshPath.includes("/") || pwshPath.includes("\\")) {
        if (executable(pwshPath)) {
            return { found: pwshPath };
        }
        const exists = fs.existsSync(pwshPath);
        return { problem: `exchange:pwshPath: ${pwshPath} ${exists ? "is not an executable file" : "was not found"}; ${fix}` };
    }
    const dirs = (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
    const hit = dirs.map((d) => path.join(d, pwshPath)).find(executable);
    return hit ? { found: hit } : { problem: `exchange:pwshPath: ${pwshPath} was not found on PATH (${dirs.join(path.delimiter) || "empty"}); ${fix}` };
}
