/** Contracts between the interpreter and the one-file-per-cmdlet implementations. */
import type { ErrorInfo } from "../errors";
import type { TenantState } from "../state";
import type { Value } from "../values";

export type ParamType =
    | "string"
    | "string[]"
    | "bool"
    | "switch"
    | "securestring"
    | "int"
    | "resultsize"
    | "enum"
    | "object"
    | "object[]"
    | "certificate";

/** One row of a cmdlet's signature table (mirrors the Syntax section of its Microsoft page). */
export interface ParamSpec {
    readonly name: string;
    readonly type: ParamType;
    /** .NET type name as pwsh prints it in binding errors. */
    readonly psType: string;
    readonly position?: number;
    readonly mandatory?: boolean;
    readonly values?: readonly string[];
    readonly aliases?: readonly string[];
    /** Real EXO parameter the emulator does not model: binding it fails with a clear error. */
    readonly unsupported?: boolean;
}

export type CmdletKind = "session" | "read" | "write" | "local";

export interface CmdletDef {
    readonly name: string;
    readonly module: string;
    /** read/write are tenant cmdlets: need a connection, are throttled/faulted, have latency. */
    readonly kind: CmdletKind;
    /** A tenant cmdlet of the module itself (the Get-EXO* REST cmdlets): Connect -CommandName does not limit it. */
    readonly moduleNative?: boolean;
    readonly params: readonly ParamSpec[];
    /** Adds -WhatIf and -Confirm. */
    readonly shouldProcess?: boolean;
    /** "all": receives the pipeline input; "identity": runs once per input object, binding its Identity. */
    readonly input?: "all" | "identity";
    run(ctx: CmdletContext): Promise<Value[]>;
}

export interface Connection {
    connectionId: string;
    organization: string;
    tenantId: string;
    appId: string | null;
    authType: "CertificateFile" | "Certificate" | "ManagedIdentity" | "AccessToken";
    /** Lower-cased names from -CommandName, or null when every cmdlet was loaded. */
    commandNames: string[] | null;
    connectedAt: string;
}

export interface SessionState {
    readonly vars: Map<string, Value>;
    connection: Connection | null;
    readonly statePath: string | undefined;
    /** The ExchangeOnlineManagement version loaded in the session (Import-Module or autoload), if any. */
    exoModule: string | undefined;
}

export class BoundParams {
    private readonly map = new Map<string, { name: string; value: Value }>();
    set(name: string, value: Value): void {
        this.map.set(name.toLowerCase(), { name, value });
    }
    get(name: string): Value | undefined {
        return this.map.get(name.toLowerCase())?.value;
    }
    has(name: string): boolean {
        return this.map.has(name.toLowerCase());
    }
    entries(): [string, Value][] {
        return [...this.map.values()].map((e) => [e.name, e.value]);
    }
    clone(): BoundParams {
        const b = new BoundParams();
        for (const [k, v] of this.entries()) b.set(k, v);
        return b;
    }
}

export interface CmdletContext {
    readonly cmdlet: string;
    readonly params: BoundParams;
    readonly input: Value[];
    readonly session: SessionState;
    warn(message: string): void;
    /** Non-terminating error: honours -ErrorAction / $ErrorActionPreference (Stop throws). */
    writeError(info: ErrorInfo): void;
    /**
     * ShouldProcess: true when the change must be skipped (-WhatIf, its "What if:" line already
     * written, or a -Confirm prompt answered No).
     */
    whatIf(target: string): Promise<boolean>;
    /** Loads the tenant (atomic renames make an unlocked read consistent). */
    readTenant(): Promise<TenantState>;
    /** Read-modify-write of the tenant under the cross-process lock. */
    updateTenant<T>(fn: (s: TenantState) => { result: T; changed: boolean }): Promise<T>;
    /** Sleeps (latency simulation). */
    sleep(ms: number): Promise<void>;
}

export const EXO_MODULE = "ExchangeOnlineManagement";
