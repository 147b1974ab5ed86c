/**
 * Invocation journal: JSON lines appended to the file named by EXO_EMULATOR_JOURNAL (format in
 * emulator/README.md). Each line is one write(2) with O_APPEND, so lines from concurrent emulator
 * processes never interleave. Secrets never reach it: CertificatePassword, AccessToken, Password,
 * Credential, ConvertTo-SecureString's -String and every SecureString value become "[REDACTED]".
 */
import * as fs from "fs";
import { PSHashtable, PSObject, SecureString, X509Certificate, type Value } from "./values";

export const REDACTED = "[REDACTED]";
const SECRET_NAMES = new Set(["certificatepassword", "accesstoken", "password", "credential", "clientsecret"]);

export type JournalJson = null | boolean | number | string | JournalJson[] | { [k: string]: JournalJson };

export function redactValue(v: Value, keyIsSecret = false): JournalJson {
    if (keyIsSecret) return REDACTED;
    if (v instanceof SecureString) return REDACTED;
    if (v instanceof X509Certificate) return "[X509Certificate2]";
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
    if (Array.isArray(v)) return v.map((x) => redactValue(x));
    if (v instanceof PSObject || v instanceof PSHashtable) {
        const out: { [k: string]: JournalJson } = {};
        for (const [k, x] of v.entries()) out[k] = redactValue(x, SECRET_NAMES.has(k.toLowerCase()));
        return out;
    }
    return String(v);
}

/** Bound parameters -> journal form with secrets redacted. */
export function redactParams(cmdlet: string, params: [string, Value][]): { [k: string]: JournalJson } {
    const out: { [k: string]: JournalJson } = {};
    const secureStringInput = cmdlet.toLowerCase() === "convertto-securestring";
    for (const [k, v] of params) {
        const secret = SECRET_NAMES.has(k.toLowerCase()) || (secureStringInput && k.toLowerCase() === "string");
        out[k] = redactValue(v, secret);
    }
    return out;
}

export class Journal {
    private seq = 0;
    constructor(private readonly file: string | undefined) {}
    get enabled(): boolean {
        return this.file !== undefined;
    }
    write(event: string, fields: { [k: string]: JournalJson | undefined } = {}): void {
        if (!this.file) return;
        const line: { [k: string]: JournalJson | undefined } = { ts: new Date().toISOString(), pid: process.pid, seq: ++this.seq, event, ...fields };
        const fd = fs.openSync(this.file, "a", 0o600);
        try {
            fs.writeSync(fd, JSON.stringify(line) + "\n");
        } finally {
            fs.closeSync(fd);
        }
    }
}

/** Parses a journal file into events (for tests, benchmarks and the CLI). */
export function readJournal(file: string): { [k: string]: JournalJson }[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { [k: string]: JournalJson });
}
