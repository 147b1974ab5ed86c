/**
 * Auth without a long-lived secret: exchanges the job's GitHub OIDC token for an Entra access token
 * for Exchange Online, and hands it to later steps as EXO_ACCESS_TOKEN (masked in the log), which
 * the stack reads with `exchange:auth: {kind: accessToken, accessTokenEnv: EXO_ACCESS_TOKEN}`: the
 * token is in neither config nor state, and expires with the run (about an hour).
 *
 * 1. GitHub: the job's ID token for audience api://AzureADTokenExchange, from
 *    ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN (set only with
 *    `permissions: id-token: write`; "About security hardening with OpenID Connect",
 *    https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
 * 2. Entra: client credentials with that token as a federated client assertion, scope
 *    https://outlook.office365.com/.default ("Microsoft identity platform application authentication
 *    certificate credentials" / workload identity federation:
 *    https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#third-case-access-token-request-with-a-federated-credential).
 *
 * Not verified against a real tenant here (docs/real-tenant.md). With no AZURE_CLIENT_ID it does
 * nothing: the stack then uses certificate auth.
 */
import * as fs from "fs";

export const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";
export const GITHUB_AUDIENCE = "api://AzureADTokenExchange";

export interface TokenEnv {
    AZURE_CLIENT_ID?: string;
    AZURE_TENANT_ID?: string;
    ACTIONS_ID_TOKEN_REQUEST_URL?: string;
    ACTIONS_ID_TOKEN_REQUEST_TOKEN?: string;
    /** Entra's authority; a sovereign cloud sets its own (e.g. https://login.microsoftonline.us). */
    ENTRA_AUTHORITY?: string;
}

/** Entra's answer on failure: its AADSTS code and description are what the admin needs (never a token). */
function entraError(status: number, text: string): string {
    try {
        const e = JSON.parse(text) as { error?: string; error_description?: string };
        return `HTTP ${status} ${e.error ?? ""}: ${(e.error_description ?? "").split("\n")[0]}`;
    } catch {
        return `HTTP ${status}`;
    }
}

export async function exchangeOidcToken(env: TokenEnv): Promise<string> {
    if (!env.AZURE_TENANT_ID) throw new Error("AZURE_TENANT_ID is not set: set the repository variable to the tenant's id (docs/real-tenant.md, OIDC)");
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw new Error("no GitHub OIDC token is offered to this job: give the workflow `permissions: id-token: write`");
    }
    const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
    url.searchParams.set("audience", GITHUB_AUDIENCE);
    const gh = await fetch(url, { headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, Accept: "application/json" } });
    if (!gh.ok) throw new Error(`GitHub's OIDC token request failed: HTTP ${gh.status}`);
    const assertion = ((await gh.json()) as { value?: string }).value;
    if (!assertion) throw new Error("GitHub's OIDC token request returned no token");

    const authority = (env.ENTRA_AUTHORITY || "https://login.microsoftonline.com").replace(/\/$/, "");
    const res = await fetch(`${authority}/${encodeURIComponent(env.AZURE_TENANT_ID)}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
            client_id: env.AZURE_CLIENT_ID ?? "",
            grant_type: "client_credentials",
            scope: EXCHANGE_SCOPE,
            client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion: assertion,
        }),
    });
    const text = await res.text();
    if (!res.ok) {
        throw new Error(`Entra refused the federated credential (${entraError(res.status, text)}); check the app's federated credential subject for this workflow (docs/real-tenant.md)`);
    }
    const token = (JSON.parse(text) as { access_token?: string }).access_token;
    if (!token) throw new Error("Entra's answer carried no access_token");
    return token;
}

async function main(): Promise<number> {
    const env = process.env as TokenEnv & { GITHUB_ENV?: string };
    if (!env.AZURE_CLIENT_ID) {
        process.stdout.write("entra-token: no AZURE_CLIENT_ID variable: skipping OIDC (the stack uses certificate auth)\n");
        return 0;
    }
    if (!process.env.GITHUB_ENV) throw new Error("GITHUB_ENV is not set: run this as a workflow step");
    const token = await exchangeOidcToken(env);
    // ::add-mask:: first, so no later log line can show it (GitHub "Workflow commands": Masking a value).
    process.stdout.write(`::add-mask::${token}\n`);
    fs.appendFileSync(process.env.GITHUB_ENV, `EXO_ACCESS_TOKEN=${token}\n`, { mode: 0o600 });
    process.stdout.write(`entra-token: an access token for ${EXCHANGE_SCOPE} is in EXO_ACCESS_TOKEN for the next steps\n`);
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`entra-token: error: ${(error as Error).message}\n`);
            process.exit(1);
        },
    );
}
