/**
 * Disconnect-ExchangeOnline — https://learn.microsoft.com/powershell/module/exchangepowershell/disconnect-exchangeonline
 * Syntax: Disconnect-ExchangeOnline [[-ConnectionId] <String[]>] [[-ModulePrefix] <String[]>] [-Confirm] [-WhatIf]
 * Removes the session's EXO cmdlets again. (The real cmdlet asks for confirmation unless -Confirm:$false;
 * the emulator cannot prompt, since stdin carries the protocol, so it proceeds.)
 */
import { EXO_MODULE, type CmdletDef, type ParamSpec } from "./types";

const SIGNATURE: readonly ParamSpec[] = [
    { name: "ConnectionId", type: "string[]", psType: "System.String[]", position: 0 },
    { name: "ModulePrefix", type: "string[]", psType: "System.String[]", position: 1, unsupported: true },
];

export const disconnectExchangeOnline: CmdletDef = {
    name: "Disconnect-ExchangeOnline",
    module: EXO_MODULE,
    kind: "session",
    params: SIGNATURE,
    shouldProcess: true,
    async run(ctx) {
        const conn = ctx.session.connection;
        if (!conn) return [];
        const ids = ctx.params.get("ConnectionId");
        if (Array.isArray(ids) && !ids.some((i) => String(i) === conn.connectionId)) return [];
        if (await ctx.whatIf(conn.connectionId)) return [];
        ctx.session.connection = null;
        return [];
    },
};
