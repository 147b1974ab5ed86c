// Apart from config.ts, which loads zod, so that the session keeper's process can start pwsh first (session.ts open).
import type { AuthConfig, ConnectAuth } from "../schema";

/**
 * The auth as Connect-ExchangeOnline gets it, from validated config. An `accessTokenEnv` is read here, when the provider
 * connects, from the provider's own environment (the CLI passes its environment to plugins), so
 * the token never enters config or state.
 */
export function connectAuth(auth: AuthConfig, env: NodeJS.ProcessEnv = process.env): { auth: ConnectAuth } | { problem: string } {
    if (auth.kind !== "accessToken") return { auth };
    if (auth.accessTokenEnv === undefined) return { auth: { kind: "accessToken", accessToken: auth.accessToken ?? "" } };
    const token = env[auth.accessTokenEnv]?.trim();
    if (!token) {
        return {
            problem:
                `exchange:auth.accessTokenEnv names ${auth.accessTokenEnv}, which is ${env[auth.accessTokenEnv] === undefined ? "not set" : "empty"} in this run's environment; ` +
                `set ${auth.accessTokenEnv} to an access token for https://outlook.office365.com (e.g. from the workflow's OIDC step, docs/real-tenant.md), or use exchange:auth.kind certificate`,
        };
    }
    return { auth: { kind: "accessToken", accessToken: token } };
}
