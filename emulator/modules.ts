/**
 * The ExchangeOnlineManagement module on the emulated machine (state `host`): which versions are
 * installed, which of them can load in this PowerShell, and what pwsh says when none can.
 *
 * What a version runs on, from "About the Exchange Online PowerShell module" (office-docs-powershell
 * exchange/docs-conceptual/exchange-online-powershell-v2.md, "Supported operating systems"):
 * 3.10.0 or later need PowerShell 7.6.0 (.NET 10); 3.5.0 to 3.9.2 need 7.4.0 (.NET 8);
 * 3.0.0 to 3.4.0 need 7.2.0 (.NET 6). How a load on a too-old PowerShell fails is not documented:
 * the emulator answers with the .NET assembly load error such a mismatch gives (not verified).
 */
import type { ErrorInfo } from "./errors";

export const EXO_MODULE_NAME = "ExchangeOnlineManagement";

const RUNTIMES: ReadonlyArray<{ from: number[]; dotnet: string; pwsh: number[] }> = [
    { from: [3, 10, 0], dotnet: "10.0.0.0", pwsh: [7, 6, 0] },
    { from: [3, 5, 0], dotnet: "8.0.0.0", pwsh: [7, 4, 0] },
    { from: [3, 0, 0], dotnet: "6.0.0.0", pwsh: [7, 2, 0] },
];

const nums = (v: string): number[] => v.split(".").map((x) => Number.parseInt(x, 10) || 0);
/** Orders two version part lists (negative: v is older). */
function compare(v: number[], w: number[]): number {
    for (let i = 0; i < Math.max(v.length, w.length); i++) {
        const d = (v[i] ?? 0) - (w[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}
const atLeast = (v: number[], min: number[]): boolean => compare(v, min) >= 0;

function runtimeOf(moduleVersion: string): { dotnet: string; pwsh: number[] } {
    return RUNTIMES.find((r) => atLeast(nums(moduleVersion), r.from)) ?? { dotnet: "6.0.0.0", pwsh: [7, 0, 0] };
}

/** Whether this module version loads in PowerShell `psVersion`. */
export function loadsOn(moduleVersion: string, psVersion: string): boolean {
    return atLeast(nums(psVersion), runtimeOf(moduleVersion).pwsh);
}

/** Installed versions, newest first (the order Get-Module -ListAvailable and autoloading use). */
export function newestFirst(versions: readonly string[]): string[] {
    return [...versions].sort((a, b) => compare(nums(b), nums(a)));
}

/** Import of a version built for a newer .NET than this pwsh carries. */
export function assemblyLoadError(moduleVersion: string): ErrorInfo {
    const dotnet = runtimeOf(moduleVersion).dotnet;
    return {
        reason: "FileLoadException",
        exceptionType: "System.IO.FileLoadException",
        message: `Could not load file or assembly 'System.Runtime, Version=${dotnet}, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a'. The system cannot find the file specified.`,
        errorId: "System.IO.FileLoadException,Microsoft.PowerShell.Commands.ImportModuleCommand",
        category: "NotSpecified",
        command: "Import-Module",
    };
}

/** Import-Module -Name X [-RequiredVersion V] when no such module (version) is installed. */
export function moduleNotFoundError(name: string, version?: string): ErrorInfo {
    const which = version === undefined ? `'${name}'` : `'${name}' with version '${version}'`;
    return {
        reason: "FileNotFoundException",
        exceptionType: "System.IO.FileNotFoundException",
        message: `The specified module ${which} was not loaded because no valid module file was found in any module directory.`,
        errorId: `${version === undefined ? "Modules_ModuleNotFound" : "Modules_ModuleWithVersionNotFound"},Microsoft.PowerShell.Commands.ImportModuleCommand`,
        category: "ResourceUnavailable",
        command: "Import-Module",
        targetObject: name,
    };
}

/** Autoloading found the command's module but could not load it (CommandDiscovery, CouldNotAutoloadMatchingModule). */
export function couldNotAutoloadError(command: string, cause: ErrorInfo): ErrorInfo {
    return {
        reason: "CommandNotFoundException",
        exceptionType: "System.Management.Automation.CommandNotFoundException",
        message: `The '${command}' command was found in the module '${EXO_MODULE_NAME}', but the module could not be loaded due to the following error: [${cause.message}]\nFor more information, run 'Import-Module ${EXO_MODULE_NAME}'.`,
        errorId: "CouldNotAutoloadMatchingModule",
        category: "ObjectNotFound",
        command,
        targetObject: command,
    };
}
