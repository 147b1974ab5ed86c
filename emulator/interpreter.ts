/**
 * Evaluates parsed statements against one session: variables, pipelines, parameter binding,
 * try/catch/finally, $ErrorActionPreference / -ErrorAction, $WarningPreference / -WarningAction,
 * splatting, error records, [Console]::Out/Error.WriteLine, and the tenant cmdlets with their
 * journal lines, simulated latency and injected faults.
 *
 * Error kinds follow pwsh: non-terminating errors (EXO's cmdlet errors) go to stderr and the script
 * goes on unless -ErrorAction/$ErrorActionPreference is Stop; binding and "not recognized" errors end
 * the statement; throw and Stop end the whole chunk. try/catch catches all of them.
 */
import * as fs from "fs";
import { createHash } from "crypto";
import { COMMON_PARAMS, bindParameters, checkMandatory, psTypeName, type RawArg } from "./binder";
import { resolveCmdlet } from "./cmdlets";
import { BoundParams, EXO_MODULE, type CmdletContext, type CmdletDef, type SessionState } from "./cmdlets/types";
import { assemblyLoadError, couldNotAutoloadError, loadsOn, newestFirst } from "./modules";
import { PsError, errorRecordValue, exoErrors, errorReasonForHost, microDelayWarning, psErrors, type ErrorInfo } from "./errors";
import type { ConsoleHost } from "./host";
import { MICRO_DELAY_MS, THROTTLE_DELAY_MS, cmdletLatency, consumeFault, pageLatency } from "./faults";
import { redactParams, type Journal, type JournalJson } from "./journal";
import type { CommandCall, Expr, PipelineStatement, Statement } from "./parser/ast";
import { ParseError, formatParseError, parseScript } from "./parser/parser";
import { hashSecret } from "./hash";
import { stateModule } from "./lazy-state";
import type { TenantState } from "./state";
import {
    ConsoleWriter,
    PSHashtable,
    PSObject,
    SecureString,
    TypeRef,
    X509Certificate,
    collapse,
    isTruthy,
    toPsString,
    wildcardMatch,
    type Value,
} from "./values";

export interface InterpreterOptions {
    /** The console host (host.ts): every byte the session writes goes through it. */
    host: ConsoleHost;
    journal: Journal;
    statePath: string | undefined;
    /** Injected crash: must end the process (never returns). */
    crash(cmdlet: string): never;
    sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Never resolves but keeps the event loop alive, like a hung remote call. */
const hangForever = () => new Promise<void>(() => setInterval(() => undefined, 1 << 30));

const KNOWN_TYPES: Record<string, string> = {
    console: "System.Console",
    "system.console": "System.Console",
    string: "System.String",
    "system.string": "System.String",
    int: "System.Int32",
    "system.int32": "System.Int32",
    bool: "System.Boolean",
    "system.boolean": "System.Boolean",
    pscustomobject: "System.Management.Automation.PSObject",
    ordered: "System.Collections.Specialized.OrderedDictionary",
    hashtable: "System.Collections.Hashtable",
    array: "System.Array",
    "object[]": "System.Object[]",
    "string[]": "System.String[]",
    object: "System.Object",
    securestring: "System.Security.SecureString",
    "system.security.securestring": "System.Security.SecureString",
    "system.security.cryptography.x509certificates.x509certificate2": "System.Security.Cryptography.X509Certificates.X509Certificate2",
    "security.cryptography.x509certificates.x509certificate2": "System.Security.Cryptography.X509Certificates.X509Certificate2",
    "system.management.automation.errorrecord": "System.Management.Automation.ErrorRecord",
    "system.exception": "System.Exception",
    exception: "System.Exception",
};

function typeNotFound(name: string): PsError {
    return new PsError(psErrors.runtime(`Unable to find type [${name}].`, "TypeNotFound", "InvalidOperation"));
}

function resolveType(name: string): string {
    const full = KNOWN_TYPES[name.toLowerCase()];
    if (!full) throw typeNotFound(name);
    return full;
}

/** The info behind an ErrorRecord value, so `throw $_` rethrows the original error. */
const recordInfo = new WeakMap<PSObject, ErrorInfo>();

export class Interpreter {
    readonly session: SessionState;
    private readonly host: ConsoleHost;
    private readonly journal: Journal;
    private readonly sleep: (ms: number) => Promise<void>;

    constructor(private readonly opts: InterpreterOptions) {
        this.host = opts.host;
        this.journal = opts.journal;
        this.sleep = opts.sleep ?? defaultSleep;
        this.session = { vars: new Map(), connection: null, statePath: opts.statePath, exoModule: undefined };
        this.setVar("ErrorActionPreference", "Continue");
        this.setVar("WarningPreference", "Continue");
        this.setVar("ConfirmPreference", "High");
    }

    private out(line: string): void {
        this.host.writeLine(line);
    }
    /** An error record on stderr, as ConciseView shows it ("<reason>: <message>"). */
    private showError(info: ErrorInfo): void {
        this.host.errorLine(errorReasonForHost(info), info.message);
    }

    /** Parses and runs one complete chunk of input. */
    async runChunk(src: string): Promise<void> {
        let statements: Statement[];
        try {
            statements = parseScript(src);
        } catch (e) {
            if (!(e instanceof ParseError)) throw e;
            this.host.errorLine("ParserError", formatParseError(src, e).replace(/^ParserError: /, ""));
            this.journal.write("parse-error", { message: e.message, offset: e.offset });
            return;
        }
        for (const st of statements) {
            try {
                await this.execStatement(st, (v) => this.print(v));
            } catch (e) {
                if (e instanceof CrashSignal) throw e;
                const pe = this.toPsError(e);
                this.showError(pe.info);
                if (pe.scriptTerminating) return;
            }
        }
    }

    private toPsError(e: unknown): PsError {
        if (e instanceof PsError) return e;
        if (e instanceof Error && e.name === "StateFileError") return new PsError(psErrors.runtime(e.message, "EmulatorStateFileInvalid", "ReadError"), true);
        return new PsError(psErrors.runtime(e instanceof Error ? e.message : String(e), "EmulatorInternalError", "NotSpecified"), true);
    }

    // ---------- variables ----------

    private varKey(name: string): string {
        return name.replace(/^(global|script|local|private):/i, "").toLowerCase();
    }
    getVar(name: string): Value {
        const key = this.varKey(name);
        if (key === "true") return true;
        if (key === "false") return false;
        if (key === "null") return null;
        const v = this.session.vars.get(key);
        if (v === undefined && key === "psversiontable") return this.psVersionTable();
        return v === undefined ? null : v;
    }

    /** The automatic $PSVersionTable (PSVersion from state `host.psVersion`). */
    private psVersionTable(): PSHashtable {
        const path = this.session.statePath;
        const h = new PSHashtable(false);
        h.set("PSVersion", path ? stateModule().readTenantState(path).host.psVersion : "7.4.6");
        h.set("PSEdition", "Core");
        h.set("Platform", "Unix");
        h.set("OS", "Linux (Exchange Online emulator)");
        return h;
    }

    /**
     * Command discovery for an ExchangeOnlineManagement command while the module isn't loaded:
     * autoloading imports the newest installed version; none installed is "not recognized", one
     * that can't load on this PowerShell is CouldNotAutoloadMatchingModule (modules.ts).
     */
    private autoloadExoModule(command: string): void {
        const path = this.session.statePath;
        if (this.session.exoModule !== undefined || !path) return; // without state, Connect says what is missing
        const host = stateModule().readTenantState(path).host;
        const newest = newestFirst(host.exchangeOnlineManagement)[0];
        if (newest === undefined) throw new PsError(psErrors.commandNotFound(command));
        if (!loadsOn(newest, host.psVersion)) throw new PsError(couldNotAutoloadError(command, assemblyLoadError(newest)));
        this.session.exoModule = newest;
    }
    setVar(name: string, value: Value): void {
        const key = this.varKey(name);
        if (key === "true" || key === "false" || key === "null" || key === "_") {
            if (key !== "null" && key !== "_") throw new PsError(psErrors.runtime(`Cannot overwrite variable ${name} because it is read-only or constant.`, "VariableNotWritable", "InvalidOperation"));
            if (key === "null") return;
        }
        this.session.vars.set(key, value);
    }

    // ---------- output ----------

    private print(v: Value): void {
        if (v === null) return;
        if (Array.isArray(v)) {
            for (const x of v) this.print(x);
            return;
        }
        if (v instanceof PSObject) {
            if (v.typeName === "System.Management.Automation.ErrorRecord") {
                this.out(toPsString(v));
                return;
            }
            const entries = v.entries();
            const width = Math.max(0, ...entries.map(([k]) => k.length));
            this.out("");
            for (const [k, x] of entries) this.out(`${k.padEnd(width)} : ${Array.isArray(x) ? `{${x.map(toPsString).join(", ")}}` : toPsString(x)}`);
            this.out("");
            return;
        }
        if (v instanceof PSHashtable) {
            const entries = v.entries();
            const width = Math.max(4, ...entries.map(([k]) => k.length));
            this.out("");
            this.out(`${"Name".padEnd(width)} Value`);
            this.out(`${"----".padEnd(width)} -----`);
            for (const [k, x] of entries) this.out(`${k.padEnd(width)} ${toPsString(x)}`);
            this.out("");
            return;
        }
        this.out(toPsString(v));
    }

    // ---------- statements ----------

    private async collect(st: Statement): Promise<Value[]> {
        const out: Value[] = [];
        await this.execStatement(st, (v) => out.push(v));
        return out;
    }

    /**
     * The value of a statement used as a value ($x = …, @{ k = … }, ( … )): a pure expression keeps
     * its value, so @(1) stays an array of one; a pipeline with commands collects its output, and
     * one item is that item (PowerShell's assignment and hashtable semantics).
     */
    private async valueOf(st: Statement): Promise<Value> {
        if (st.kind === "pipeline" && st.elements.length === 1 && st.elements[0].kind === "expr") {
            return this.evalExpr(st.elements[0].expr);
        }
        return collapse(await this.collect(st));
    }

    private async execStatements(sts: Statement[], emit: (v: Value) => void): Promise<void> {
        for (const st of sts) await this.execStatement(st, emit);
    }

    private async execStatement(st: Statement, emit: (v: Value) => void): Promise<void> {
        switch (st.kind) {
            case "pipeline":
                return this.runPipeline(st, emit);
            case "assign":
                this.setVar(st.variable, await this.valueOf(st.value));
                return;
            case "throw": {
                if (!st.value) throw new PsError(psErrors.runtime("ScriptHalted", "ScriptHalted"), true);
                const v = collapse(await this.collect(st.value));
                if (v instanceof PSObject && recordInfo.has(v)) throw new PsError(recordInfo.get(v) as ErrorInfo, true);
                const message = toPsString(v);
                throw new PsError(psErrors.runtime(message, message, "OperationStopped"), true);
            }
            case "try":
                return this.runTry(st, emit);
        }
    }

    private async runTry(st: Extract<Statement, { kind: "try" }>, emit: (v: Value) => void): Promise<void> {
        try {
            await this.execStatements(st.body, emit);
        } catch (e) {
            if (e instanceof CrashSignal) throw e;
            const pe = this.toPsError(e);
            const handler = st.catches.find((c) => c.types.length === 0 || c.types.some((t) => this.catchMatches(t, pe.info)));
            if (!handler) throw pe;
            const record = errorRecordValue(pe.info);
            recordInfo.set(record, pe.info);
            const saved = this.session.vars.get("_");
            this.session.vars.set("_", record);
            try {
                await this.execStatements(handler.body, emit);
            } finally {
                if (saved === undefined) this.session.vars.delete("_");
                else this.session.vars.set("_", saved);
            }
        } finally {
            if (st.finally) await this.execStatements(st.finally, emit);
        }
    }

    private catchMatches(type: string, info: ErrorInfo): boolean {
        const t = type.toLowerCase();
        if (t === "exception" || t === "system.exception") return true;
        if (t === "system.management.automation.runtimeexception" || t === "management.automation.runtimeexception") return true;
        const full = info.exceptionType.toLowerCase();
        return full === t || full.endsWith("." + t) || info.reason.toLowerCase() === t;
    }

    private async runPipeline(st: PipelineStatement, emit: (v: Value) => void): Promise<void> {
        let items: Value[] | undefined;
        for (const el of st.elements) {
            if (el.kind === "expr") {
                const v = await this.evalExpr(el.expr);
                items = Array.isArray(v) ? v : [v];
            } else {
                items = await this.invokeCommand(el, items);
            }
        }
        for (const v of items ?? []) emit(v);
    }

    // ---------- commands ----------

    private async rawArgs(cmd: CommandCall): Promise<RawArg[]> {
        const raw: RawArg[] = [];
        for (const e of cmd.elements) {
            if (e.kind === "param") raw.push({ kind: "param", name: e.name, hasValue: e.value !== undefined, value: e.value ? await this.evalExpr(e.value) : undefined });
            else if (e.kind === "arg") raw.push({ kind: "arg", value: await this.evalExpr(e.expr) });
            else {
                const v = this.getVar(e.variable);
                if (v instanceof PSHashtable) for (const [k, x] of v.entries()) raw.push({ kind: "param", name: k, hasValue: true, value: x });
                else if (Array.isArray(v)) for (const x of v) raw.push({ kind: "arg", value: x });
                else if (v !== null) raw.push({ kind: "arg", value: v });
            }
        }
        return raw;
    }

    private async invokeCommand(cmd: CommandCall, input: Value[] | undefined): Promise<Value[]> {
        const def = resolveCmdlet(cmd.name, this.session);
        const raw = await this.rawArgs(cmd);
        let missing: ErrorInfo | undefined = def ? undefined : psErrors.commandNotFound(cmd.name);
        if (def && def.module === EXO_MODULE) {
            try {
                this.autoloadExoModule(def.name);
            } catch (e) {
                missing = this.toPsError(e).info;
            }
        }
        if (!def || missing) {
            const info = missing ?? psErrors.commandNotFound(cmd.name);
            this.journal.write("cmdlet", { cmdlet: cmd.name, module: null, params: {}, outcome: "error", error: errorJson(info), durationMs: 0 });
            throw new PsError(info);
        }
        let bound: BoundParams;
        try {
            bound = bindParameters(def, raw);
            if (input !== undefined && input.length > 0 && !def.input) {
                throw new PsError(
                    psErrors.bind(def.name, "InputObjectNotBound", "The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."),
                );
            }
            if (def.input !== "identity" || input === undefined) {
                await this.promptForMandatory(def, bound);
                checkMandatory(def, bound);
            }
        } catch (e) {
            const pe = this.toPsError(e);
            const named = raw.flatMap((r): [string, Value][] => (r.kind === "param" ? [[r.name, r.value ?? true]] : []));
            this.journal.write("cmdlet", { cmdlet: def.name, module: def.module, params: redactParams(def.name, named), outcome: "error", error: errorJson(pe.info), durationMs: 0 });
            throw pe;
        }
        if (def.input === "identity" && input !== undefined) {
            const out: Value[] = [];
            for (const item of input) {
                const b = bound.clone();
                const id = item instanceof PSObject ? item.get("Identity") ?? null : item;
                b.set("Identity", toPsString(id));
                out.push(...(await this.runCmdlet(def, b, [])));
            }
            return out;
        }
        return this.runCmdlet(def, bound, input ?? []);
    }

    /**
     * Without -NonInteractive pwsh asks for missing mandatory parameters, and under -Command - each
     * answer is the next stdin line (CmdletParameterBinderController.cs; ReadLineFromFile). With it,
     * the prompt throws and the binder reports MissingMandatoryParameter (checkMandatory).
     */
    private async promptForMandatory(def: CmdletDef, bound: BoundParams): Promise<void> {
        const missing = def.params.filter((p) => p.mandatory && !bound.has(p.name));
        if (missing.length === 0 || this.host.flags.nonInteractive) return;
        this.host.writeLine(`cmdlet ${def.name} at command pipeline position 1\nSupply values for the following parameters:`);
        for (const p of missing) {
            const answer = await this.host.prompt(p.name);
            if (answer !== null) bound.set(p.name, p.type === "string[]" ? [answer] : answer);
        }
    }

    private preference(v: Value | undefined): string {
        return toPsString(v ?? "Continue").toLowerCase();
    }

    private requireStatePath(): string {
        const p = this.session.statePath;
        if (!p) {
            throw new PsError(
                psErrors.runtime("EXO_EMULATOR_STATE is not set: point it at a tenant state file (create one with 'node dist/emulator/cli.js init-kb-demo <file>').", "EmulatorStateNotConfigured", "ResourceUnavailable"),
            );
        }
        return p;
    }

    private async runCmdlet(def: CmdletDef, bound: BoundParams, input: Value[]): Promise<Value[]> {
        const started = Date.now();
        const errors: ErrorInfo[] = [];
        let warnings = 0;
        let whatIf = false;
        const errorAction = this.preference(bound.get("ErrorAction") ?? this.getVar("ErrorActionPreference"));
        const warningAction = this.preference(bound.get("WarningAction") ?? this.getVar("WarningPreference"));
        const ctx: CmdletContext = {
            cmdlet: def.name,
            params: bound,
            input,
            session: this.session,
            warn: (message) => {
                warnings++;
                if (warningAction === "stop") {
                    throw new PsError(
                        psErrors.runtime(`The running command stopped because the preference variable "WarningPreference" or common parameter is set to Stop: ${message}`, `ActionPreferenceStop,${def.name}`, "OperationStopped"),
                        true,
                    );
                }
                if (warningAction === "silentlycontinue" || warningAction === "ignore") return;
                this.host.streamLine("WARNING", message);
            },
            writeError: (info) => {
                errors.push(info);
                if (errorAction === "stop") throw new PsError(info, true);
                if (errorAction === "silentlycontinue" || errorAction === "ignore") return;
                this.showError(info);
            },
            whatIf: async (target) => {
                if (bound.get("Confirm") === true && bound.get("WhatIf") !== true) {
                    // ShouldProcess asks the host: under -NonInteractive that throws, otherwise the
                    // answer is read from stdin (the next protocol lines), as pwsh does (host.ts).
                    const answer = await this.host.confirm("Confirm", `Are you sure you want to perform this action?\nPerforming the operation "${def.name}" on target "${target}".`);
                    return answer === "no";
                }
                if (bound.get("WhatIf") !== true) return false;
                whatIf = true;
                this.out(`What if: Performing the operation "${def.name}" on target "${target}".`);
                return true;
            },
            readTenant: async () => stateModule().readTenantState(this.requireStatePath()),
            updateTenant: async <T>(fn: (s: TenantState) => { result: T; changed: boolean }) => stateModule().updateTenantState(this.requireStatePath(), fn),
            sleep: (ms) => this.sleep(ms),
        };
        let thrown: ErrorInfo | undefined;
        let returned: number | undefined;
        try {
            if (def.kind === "read" || def.kind === "write") {
                const proceed = await this.applyFaults(def, def.kind, ctx);
                if (!proceed) return [];
            }
            const out = await def.run(ctx);
            returned = out.length;
            if (def.kind === "read") {
                const ms = pageLatency(stateModule().readTenantState(this.requireStatePath()).latency.pageMs, out.length);
                if (ms > 0) await this.sleep(ms);
            }
            return out;
        } catch (e) {
            if (e instanceof CrashSignal) throw e;
            const pe = this.toPsError(e);
            if (!errors.includes(pe.info)) thrown = pe.info;
            throw pe;
        } finally {
            const first = thrown ?? errors[0];
            const params = redactParams(
                def.name,
                bound.entries().filter(([k]) => !COMMON_PARAMS.some((c) => c.name === k) || k === "ErrorAction"),
            );
            this.journal.write("cmdlet", {
                cmdlet: def.name,
                module: def.module,
                params,
                outcome: first ? "error" : whatIf ? "whatif" : warnings ? "warning" : "ok",
                error: first ? errorJson(first) : undefined,
                // Objects a tenant read returned (what latency.pageMs charges for).
                returned: def.kind === "read" ? returned : undefined,
                durationMs: Date.now() - started,
            });
        }
    }

    /** Consumes injected faults; false when the call must not run (its error is already written). */
    private async applyFaults(def: CmdletDef, kind: "read" | "write", ctx: CmdletContext): Promise<boolean> {
        const file = this.requireStatePath();
        const current = stateModule().readTenantState(file);
        const latency = cmdletLatency(current.latency, def.name);
        const server = current.organization.domainController;
        // Most calls consume no fault: decide on a copy of the read state, and take the lock and
        // write only when a counter changes (then decide again under the lock: another process may have won it).
        const peek = consumeFault(structuredClone(current.faults), def.name, kind);
        let decision = peek.decision;
        if (peek.changed) {
            decision = await stateModule().updateTenantState(file, (s: TenantState) => {
                const r = consumeFault(s.faults, def.name, kind);
                return { result: r.decision, changed: r.changed };
            });
        }
        if (decision.kind === "crash") throw new CrashSignal(def.name);
        if (decision.kind === "hang") {
            this.journal.write("hang", { cmdlet: def.name, ms: decision.ms });
            if (decision.ms === null) await hangForever();
            else await this.sleep(decision.ms);
        }
        if (latency > 0) await this.sleep(latency);
        if (decision.kind === "throttle") {
            ctx.writeError(exoErrors.tooManyRequests(def.name, server, Math.ceil(THROTTLE_DELAY_MS / 1000)));
            return false;
        }
        if (decision.kind === "transient") {
            ctx.writeError(exoErrors.transient(def.name, server));
            return false;
        }
        if (decision.kind === "microDelay") {
            // KB 2881759: the call is delayed and goes on; the host shows a warning, nothing fails.
            await this.sleep(MICRO_DELAY_MS);
            ctx.warn(microDelayWarning(MICRO_DELAY_MS));
        }
        return true;
    }

    // ---------- expressions ----------

    async evalExpr(e: Expr): Promise<Value> {
        switch (e.kind) {
            case "str":
                return e.value;
            case "num":
                return e.value;
            case "xstr": {
                let s = "";
                for (const p of e.parts) s += typeof p === "string" ? p : toPsString(await this.evalExpr(p));
                return s;
            }
            case "var":
                return this.getVar(e.name);
            case "array": {
                const out: Value[] = [];
                for (const i of e.items) out.push(await this.evalExpr(i));
                return out;
            }
            case "arraySub": {
                const out: Value[] = [];
                await this.execStatements(e.statements, (v) => out.push(v));
                return out;
            }
            case "sub": {
                const out: Value[] = [];
                await this.execStatements(e.statements, (v) => out.push(v));
                return collapse(out);
            }
            case "paren":
                return this.valueOf(e.statement);
            case "hash": {
                const h = new PSHashtable(e.ordered);
                for (const entry of e.entries) h.set(toPsString(await this.evalExpr(entry.key)), await this.valueOf(entry.value));
                return h;
            }
            case "type":
                return new TypeRef(resolveType(e.name));
            case "cast":
                return this.cast(e.type, await this.evalExpr(e.expr));
            case "member":
                return this.member(await this.evalExpr(e.target), e.name, e.isStatic);
            case "invoke": {
                const target = await this.evalExpr(e.target);
                const args: Value[] = [];
                for (const a of e.args) args.push(await this.evalExpr(a));
                return this.invoke(target, e.name, args, e.isStatic);
            }
            case "index": {
                const t = await this.evalExpr(e.target);
                const i = await this.evalExpr(e.index);
                if (Array.isArray(t)) {
                    const n = Number(i);
                    return (n < 0 ? t[t.length + n] : t[n]) ?? null;
                }
                if (t instanceof PSHashtable) return t.get(toPsString(i)) ?? null;
                if (typeof t === "string") return t[Number(i)] ?? null;
                return null;
            }
            case "unary": {
                const v = await this.evalExpr(e.expr);
                if (e.op === "not") return !isTruthy(v);
                return -Number(v);
            }
            case "binary":
                return this.binary(e.op, e.left, e.right);
        }
    }

    private cast(type: string, v: Value): Value {
        const full = resolveType(type);
        switch (full) {
            case "System.String":
                return toPsString(v);
            case "System.Int32": {
                const n = typeof v === "number" ? Math.round(v) : Number(toPsString(v));
                if (!Number.isFinite(n)) throw new PsError(psErrors.runtime(`Cannot convert value "${toPsString(v)}" to type "System.Int32". Error: "Input string was not in a correct format."`, "InvalidCastFromStringToInteger", "InvalidArgument"));
                return n;
            }
            case "System.Boolean":
                return isTruthy(v);
            case "System.Management.Automation.PSObject":
                return v instanceof PSHashtable ? new PSObject("System.Management.Automation.PSCustomObject", v.entries()) : v;
            case "System.Collections.Specialized.OrderedDictionary":
            case "System.Collections.Hashtable":
                if (v instanceof PSHashtable) return v;
                break;
            case "System.Array":
            case "System.Object[]":
                return Array.isArray(v) ? v : v === null ? [] : [v];
            case "System.String[]":
                return (Array.isArray(v) ? v : [v]).map(toPsString);
            case "System.Object":
                return v;
        }
        throw new PsError(psErrors.runtime(`Cannot convert the "${toPsString(v)}" value of type "${psTypeName(v)}" to type "${full}".`, "ConvertToFinalInvalidCastException", "InvalidArgument"));
    }

    private member(t: Value, name: string, isStatic: boolean): Value {
        const n = name.toLowerCase();
        if (isStatic) {
            if (t instanceof TypeRef && t.name === "System.Console" && (n === "out" || n === "error")) return new ConsoleWriter(n === "out" ? "out" : "error");
            return null;
        }
        if (t instanceof PSObject) return t.get(name) ?? null;
        if (t instanceof PSHashtable) {
            if (t.has(name)) return t.get(name) ?? null;
            if (n === "count") return t.size;
            if (n === "keys") return t.entries().map(([k]) => k);
            if (n === "values") return t.entries().map(([, v]) => v);
            return null;
        }
        if (Array.isArray(t)) {
            if (n === "count" || n === "length") return t.length;
            // member enumeration
            const out: Value[] = [];
            for (const x of t) {
                const v = this.member(x, name, false);
                if (Array.isArray(v)) out.push(...v);
                else if (v !== null) out.push(v);
            }
            return collapse(out);
        }
        if (typeof t === "string" && n === "length") return t.length;
        if (n === "count") return t === null ? 0 : 1;
        return null;
    }

    private invoke(t: Value, name: string, args: Value[], isStatic: boolean): Value {
        const n = name.toLowerCase();
        if (t instanceof ConsoleWriter && (n === "writeline" || n === "write")) {
            const text = args.length ? toPsString(args[0]) : "";
            this.host.raw(t.stream, n === "writeline" ? text + "\n" : text);
            return null;
        }
        if (isStatic && t instanceof TypeRef) {
            if (t.name === "System.Security.Cryptography.X509Certificates.X509Certificate2" && n === "new") return loadCertificate(args);
            if (t.name === "System.String" && n === "isnullorempty") return args[0] === null || args[0] === undefined || toPsString(args[0]) === "";
        } else {
            if (n === "tostring" && args.length === 0) return toPsString(t);
            if (typeof t === "string") {
                const a = args.map(toPsString);
                if (n === "tolower" || n === "tolowerinvariant") return t.toLowerCase();
                if (n === "toupper" || n === "toupperinvariant") return t.toUpperCase();
                if (n === "trim") return t.trim();
                if (n === "contains") return t.includes(a[0] ?? "");
                if (n === "startswith") return t.startsWith(a[0] ?? "");
                if (n === "endswith") return t.endsWith(a[0] ?? "");
                if (n === "replace") return t.split(a[0] ?? "").join(a[1] ?? "");
                if (n === "split") return t.split(a[0] ?? " ");
            }
            if (t instanceof PSHashtable && n === "containskey") return t.has(toPsString(args[0] ?? null));
        }
        const typeName = t instanceof TypeRef ? t.name : psTypeName(t);
        throw new PsError(psErrors.runtime(`Method invocation failed because [${typeName}] does not contain a method named '${name}'.`, "MethodNotFound", "InvalidOperation"));
    }

    private async binary(op: string, le: Expr, re: Expr): Promise<Value> {
        if (op.toLowerCase() === "and") return isTruthy(await this.evalExpr(le)) && isTruthy(await this.evalExpr(re));
        if (op.toLowerCase() === "or") return isTruthy(await this.evalExpr(le)) || isTruthy(await this.evalExpr(re));
        const l = await this.evalExpr(le);
        const r = await this.evalExpr(re);
        if (op.toLowerCase() === "xor") return isTruthy(l) !== isTruthy(r);
        if (op === "+") {
            if (Array.isArray(l)) return [...l, ...(Array.isArray(r) ? r : [r])];
            if (typeof l === "number") return l + Number(r);
            if (l instanceof PSHashtable && r instanceof PSHashtable) {
                const h = new PSHashtable(l.ordered);
                for (const [k, v] of [...l.entries(), ...r.entries()]) h.set(k, v);
                return h;
            }
            return toPsString(l) + toPsString(r);
        }
        if (op === "-") return Number(l) - Number(r);
        return compare(op, l, r);
    }
}

/** Signal from an injected crash fault; main.ts turns it into a hard process death. */
export class CrashSignal extends Error {
    constructor(readonly cmdlet: string) {
        super(`injected crash on ${cmdlet}`);
    }
}

function errorJson(info: ErrorInfo): { [k: string]: JournalJson } {
    return { reason: info.reason, message: info.message, errorId: info.errorId };
}

/** [X509Certificate2]::new(path, password): digests only; the password check happens at Connect. */
function loadCertificate(args: Value[]): X509Certificate {
    const file = toPsString(args[0] ?? null);
    let bytes: Buffer;
    try {
        bytes = fs.readFileSync(file);
    } catch {
        throw new PsError({
            reason: "CryptographicException",
            exceptionType: "System.Security.Cryptography.CryptographicException",
            message: "The system cannot find the file specified.",
            errorId: "CryptographicException",
            category: "NotSpecified",
        });
    }
    const pw = args[1];
    const password = pw instanceof SecureString ? pw.reveal() : pw === undefined || pw === null ? "" : toPsString(pw);
    return new X509Certificate(hashSecret(bytes), hashSecret(password), createHash("sha1").update(bytes).digest("hex").toUpperCase());
}

function scalarEquals(l: Value, r: Value, caseSensitive: boolean): boolean {
    if (l === null || r === null) return l === r;
    if (typeof l === "string") {
        const rs = toPsString(r);
        return caseSensitive ? l === rs : l.toLowerCase() === rs.toLowerCase();
    }
    if (typeof l === "number") return l === Number(r);
    if (typeof l === "boolean") return l === isTruthy(r);
    return l === r;
}

function compareOrder(l: Value, r: Value): number {
    if (typeof l === "number") return l - Number(r);
    return toPsString(l).toLowerCase().localeCompare(toPsString(r).toLowerCase());
}

function compareScalar(op: string, l: Value, r: Value, cs: boolean): boolean {
    switch (op) {
        case "eq":
            return scalarEquals(l, r, cs);
        case "ne":
            return !scalarEquals(l, r, cs);
        case "like":
            return wildcardMatch(toPsString(l), toPsString(r), cs);
        case "notlike":
            return !wildcardMatch(toPsString(l), toPsString(r), cs);
        case "match":
            return new RegExp(toPsString(r), cs ? "" : "i").test(toPsString(l));
        case "notmatch":
            return !new RegExp(toPsString(r), cs ? "" : "i").test(toPsString(l));
        case "gt":
            return compareOrder(l, r) > 0;
        case "ge":
            return compareOrder(l, r) >= 0;
        case "lt":
            return compareOrder(l, r) < 0;
        case "le":
            return compareOrder(l, r) <= 0;
    }
    return false;
}

function compare(rawOp: string, l: Value, r: Value): Value {
    let op = rawOp.toLowerCase();
    let cs = false;
    if (/^c(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin)$/.test(op)) {
        cs = true;
        op = op.slice(1);
    } else if (/^i(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin)$/.test(op)) op = op.slice(1);
    if (op === "contains" || op === "notcontains") {
        const hit = (Array.isArray(l) ? l : [l]).some((x) => scalarEquals(x, r, cs));
        return op === "contains" ? hit : !hit;
    }
    if (op === "in" || op === "notin") {
        const hit = (Array.isArray(r) ? r : [r]).some((x) => scalarEquals(x, l, cs));
        return op === "in" ? hit : !hit;
    }
    if (Array.isArray(l)) return l.filter((x) => compareScalar(op, x, r, cs));
    return compareScalar(op, l, r, cs);
}

export { BoundParams };
