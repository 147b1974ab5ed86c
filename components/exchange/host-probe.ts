/**
 * The answer of the host probe, apart from host-check.ts so that a session can start pwsh before
 * zod is loaded (about 0.16 s here): the session keeper's process spawns pwsh first and parses the
 * probe's answer with this schema afterwards (session.ts probe).
 */
import { z } from "zod";

/**
 * What `probeHost()` (commands.ts) reports: the PowerShell version and the installed
 * ExchangeOnlineManagement versions. One version may arrive as a bare string and none as null
 * (a PowerShell array of one or zero can unroll on the way to ConvertTo-Json).
 */
export const hostProbeSchema = z.object({
    psVersion: z.string().min(1),
    modules: z.union([z.array(z.string()), z.string().transform((v) => [v]), z.null().transform((): string[] => [])]),
});
export type HostProbe = z.infer<typeof hostProbeSchema>;
