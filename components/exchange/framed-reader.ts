/**
 * Reads one node-powershell reply from a pwsh stream: the bytes between the first and the second
 * occurrence of the call's 16-character marker, whitespace-trimmed.
 *
 * Why not child-shell's own reader (Shell.readBulkFromOutput, child-shell 5): when a whole reply
 * arrives in one chunk, its isDone looks for the closing marker only in the last
 * `delimiter.length + 1` bytes. Real pwsh on Linux writes `ESC[?1h` right after the marker line,
 * before it reads the next input line (ConsoleHost.cs InputLoop, PowerShell/PowerShell#26631), so
 * the marker is no longer at the very end and the call waits until exchange:commandTimeoutSeconds.
 * This reader finds the marker anywhere, also across chunk boundaries, and copies the reply once.
 */
import { Writable, type Readable } from "stream";

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

function trimBytes(b: Buffer): Buffer {
    let start = 0;
    let end = b.length;
    while (start < end && WHITESPACE.has(b[start])) start++;
    while (end > start && WHITESPACE.has(b[end - 1])) end--;
    return b.subarray(start, end);
}

/** Resolves with the trimmed bytes between the first two occurrences of `delimiter` on `stream`. */
export function readFramed(stream: Readable, delimiter: string): Promise<Buffer> {
    const marker = Buffer.from(delimiter, "utf8");
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let length = 0;
        let first = -1;
        // The last marker.length - 1 bytes already seen: a marker may straddle two chunks.
        let carry: Buffer = Buffer.alloc(0);
        let done = false;
        const sink = new Writable({
            write(chunk: Buffer, _encoding, callback) {
                if (done) return callback();
                const windowStart = length - carry.length;
                const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
                chunks.push(chunk);
                length += chunk.length;
                if (first < 0) {
                    const i = window.indexOf(marker);
                    if (i >= 0) first = windowStart + i;
                }
                if (first >= 0) {
                    const j = window.indexOf(marker, Math.max(0, first + marker.length - windowStart));
                    if (j >= 0) {
                        done = true;
                        stream.unpipe(sink);
                        sink.end();
                        const all = Buffer.concat(chunks, length);
                        resolve(trimBytes(all.subarray(first + marker.length, windowStart + j)));
                        return callback();
                    }
                }
                carry = window.subarray(Math.max(0, window.length - (marker.length - 1)));
                callback();
            },
        });
        stream.pipe(sink);
    });
}
