/**
 * -ResultSize as EXO's list cmdlets apply it: the first N objects, and a warning when more exist.
 * The warning's text is the one users quote (Microsoft365DSC issue #1079, from Get-* cmdlets of the
 * module); that Get-EXO* cmdlets print the same one is not verified (docs/exchange-online-fidelity.md).
 */
import type { CmdletContext } from "./cmdlets/types";

export const DEFAULT_RESULT_SIZE = 1000;

export function moreResultsWarning(size: number): string {
    return (
        `By default, only the first ${size} items are returned. Use the ResultSize parameter to specify the number of items returned. ` +
        `To return all items, specify "-ResultSize Unlimited". Be aware that, depending on the actual number of items, returning all items ` +
        `can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. Instead, ` +
        `pipe the results to another task or script to perform batch changes.`
    );
}

/** The objects within -ResultSize (default 1000, "Unlimited" for all); warns when some were left out. */
export function limitResults<T>(ctx: CmdletContext, all: readonly T[]): T[] {
    const size = ctx.params.get("ResultSize") ?? DEFAULT_RESULT_SIZE;
    if (typeof size === "number" && all.length > size) {
        ctx.warn(moreResultsWarning(size));
        return all.slice(0, size);
    }
    return [...all];
}
