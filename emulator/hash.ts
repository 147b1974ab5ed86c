/** SHA-256 hex digest: how the state stores every credential (kept apart from state.ts so start-up needn't load zod). */
import { createHash } from "crypto";

export function hashSecret(value: string | Buffer): string {
    return createHash("sha256").update(value).digest("hex");
}
