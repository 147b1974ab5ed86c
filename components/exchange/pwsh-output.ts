/**
 * The one stream cleaner: everything that comes back from pwsh passes through here
 * before it is parsed or shown (DESIGN.md, "Principles").
 *
 * What real pwsh 7 on Linux puts into redirected streams (docs/exchange-online-fidelity.md):
 * - `ESC[?1h` before it reads each input line and `ESC[?1l` before it runs it, also when
 *   stdout is redirected (ConsoleHost.cs, PowerShell/PowerShell#26631), so a read's JSON
 *   arrives as `\e[?1h\e[?1l[{…}]`; child-shell trims only whitespace.
 * - warnings wrapped in `ESC[33;1m … ESC[0m` (ConsoleHostUserInterface.WriteWarningLine,
 *   MicrosoftDocs/PowerShell-Docs#9182), errors in `ESC[31;1m … ESC[0m`, and EXO warnings
 *   whose text goes on over a second line without a `WARNING:` prefix.
 *
 * So a read does not rely on stdout holding only JSON: it prints its JSON on one line
 * behind RESULT_MARKER (commands.ts), and everything else on stdout is host text,
 * cleaned and shown as plain lines, never parsed.
 */

/** Prefix of the one stdout line that carries a read's result (commands.ts writes it). */
export const RESULT_MARKER = "#exo-result:";

/**
 * ECMA-48 control sequences: CSI (`ESC [ … final`, also the 8-bit 0x9B form), OSC/DCS/PM/APC
 * strings (to BEL or ST), and the other two- and three-byte escapes (`ESC =`, `ESC ( B`, …).
 */
const CONTROL_SEQUENCES = new RegExp(
    [
        "(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]", // CSI: cursor keys mode, SGR colours, erase…
        "(?:\\u001b[\\]PX^_]|[\\u0090\\u009d\\u009e\\u009f])[\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c)", // OSC, DCS, SOS, PM, APC
        "\\u001b[ -/]*[0-~]", // nF, Fp, Fe, Fs escapes
        "\\u001b", // a lone ESC left at the end of a chunk
    ].join("|"),
    "g",
);

/** C0/C1 controls other than tab, line feed and carriage return (bell, backspace, …). */
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Removes terminal control sequences and stray control characters; keeps text, tabs and line breaks. */
export function stripTerminalSequences(text: string): string {
    return text.replace(CONTROL_SEQUENCES, "").replace(OTHER_CONTROLS, "");
}

/** A command's stdout, cleaned and split into its result and the host's own text. */
export interface PwshOutput {
    /** The text behind RESULT_MARKER ("" when the read returned nothing), or undefined when no line carried it. */
    result: string | undefined;
    /** Every other non-empty line (warnings, verbose lines, banners), cleaned, in order. */
    hostLines: string[];
}

/** Splits cleaned stdout into the marked result line and the host's lines. */
export function splitPwshOutput(stdout: string): PwshOutput {
    let result: string | undefined;
    const hostLines: string[] = [];
    for (const raw of stripTerminalSequences(stdout).split(/\r?\n/)) {
        const at = raw.indexOf(RESULT_MARKER);
        if (at >= 0 && result === undefined) {
            result = raw.slice(at + RESULT_MARKER.length).trim();
            const before = raw.slice(0, at).trim();
            if (before !== "") {
                hostLines.push(before);
            }
            continue;
        }
        const line = raw.trimEnd();
        if (line.trim() !== "") {
            hostLines.push(line);
        }
    }
    return { result, hostLines };
}
