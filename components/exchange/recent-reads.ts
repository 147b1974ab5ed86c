/**
 * Reads that the session keeper answers again from memory, within one CLI run.
 *
 * Why: a plain `pulumi up --yes` runs its preview and then its update, each in a provider process of
 * its own, and each read the whole tenant again (Get-AcceptedDomain and the coexistence reads) a
 * few seconds after the other. A read is reused when the same command text is asked again while it
 * is still running or at most maxAgeMs after it answered; so the update acts on what its preview
 * showed, and an `up` whose confirmation waited longer reads the tenant again.
 *
 * What stays fresh: a failed read is never reused (the next asker runs it again, and a read error
 * never turns into an answer). Any command that is not a read (Set-AcceptedDomain) forgets every
 * read first: whatever is asked after a write runs after it, on the session's queue, and sees it.
 */
import type { Command } from "./commands";

/** Get-* cmdlets only read; everything else may change the tenant. */
export function isRead(command: Command): boolean {
    return /^Get-/i.test(command.cmdlet);
}

interface Entry {
    answer: Promise<string>;
    /** When the read answered; undefined while it runs. */
    answeredAt?: number;
}

export class RecentReads {
    private readonly entries = new Map<string, Entry>();

    constructor(
        private readonly maxAgeMs: number,
        private readonly now: () => number = Date.now,
    ) {}

    /** The command's answer: a recent identical read's, or execute()'s. */
    run(command: Command, execute: () => Promise<string>): Promise<string> {
        if (!isRead(command)) {
            this.entries.clear();
            return execute();
        }
        const known = this.entries.get(command.text);
        if (known && (known.answeredAt === undefined || this.now() - known.answeredAt <= this.maxAgeMs)) {
            return known.answer;
        }
        const entry: Entry = { answer: execute() };
        this.entries.set(command.text, entry);
        entry.answer.then(
            () => {
                entry.answeredAt = this.now();
            },
            () => {
                if (this.entries.get(command.text) === entry) this.entries.delete(command.text);
            },
        );
        return entry.answer;
    }
}
