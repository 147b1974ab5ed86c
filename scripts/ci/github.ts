/**
 * The two things the workflows keep on GitHub, each as one object found again by a hidden marker:
 * the pull request's gate comment (updated in place, never a second one) and one open drift issue
 * per stack (updated while the drift lasts, closed when the tenant is back in sync).
 *
 * Plain REST through fetch (Node 20), so the workflow needs no gh extension and the tests can serve
 * the API locally (GITHUB_API_URL, which Actions sets on every runner). Endpoints: "Issue comments"
 * and "Issues" of the GitHub REST API (https://docs.github.com/rest/issues/comments,
 * https://docs.github.com/rest/issues/issues); a pull request's conversation comments are issue comments.
 */

export interface GitHubApi {
    request<T>(method: "GET" | "POST" | "PATCH", path: string, body?: object): Promise<T>;
}

/** The REST client from the runner's environment: GITHUB_API_URL and GH_TOKEN (or GITHUB_TOKEN). */
export function githubApi(env: NodeJS.ProcessEnv = process.env): GitHubApi {
    const base = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/$/, "");
    const token = env.GH_TOKEN || env.GITHUB_TOKEN;
    if (!token) throw new Error("GH_TOKEN (or GITHUB_TOKEN) is not set: pass the workflow's github.token through the step's env");
    return {
        async request<T>(method: string, path: string, body?: object): Promise<T> {
            const res = await fetch(`${base}${path}`, {
                method,
                headers: {
                    Accept: "application/vnd.github+json",
                    Authorization: `Bearer ${token}`,
                    "X-GitHub-Api-Version": "2022-11-28",
                    ...(body ? { "Content-Type": "application/json" } : {}),
                },
                body: body ? JSON.stringify(body) : undefined,
            });
            const text = await res.text();
            if (!res.ok) throw new Error(`GitHub API ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
            return (text ? JSON.parse(text) : undefined) as T;
        },
    };
}

interface Comment {
    id: number;
    body?: string;
}
interface Issue {
    number: number;
    body?: string | null;
    pull_request?: unknown;
}

/** Every page of a list endpoint (100 per page, until a short page). */
async function all<T>(api: GitHubApi, path: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
        const items = await api.request<T[]>("GET", `${path}${path.includes("?") ? "&" : "?"}per_page=100&page=${page}`);
        out.push(...items);
        if (items.length < 100) return out;
    }
}

/** GitHub refuses a comment or issue body over 65,536 characters (HTTP 422). */
export const MAX_BODY = 65_536;

/** The body cut to GitHub's limit, saying so and where the rest is. */
export function fitBody(body: string, max: number = MAX_BODY): string {
    if (body.length <= max) return body;
    const note = "\n\n_… cut to GitHub's size limit for a comment; the whole report is in the workflow run's log._\n";
    return body.slice(0, max - note.length) + note;
}

export const PR_COMMENT_MARKER = "<!-- exchange-accepted-domains:pull-request-gate -->";

/** The gate's comment on the pull request: the one carrying the marker is edited, else one is created. */
export async function upsertPullRequestComment(api: GitHubApi, repo: string, pr: number, body: string): Promise<{ action: "created" | "updated"; id: number }> {
    const text = fitBody(body.includes(PR_COMMENT_MARKER) ? body : `${PR_COMMENT_MARKER}\n${body}`);
    const mine = (await all<Comment>(api, `/repos/${repo}/issues/${pr}/comments`)).find((c) => c.body?.includes(PR_COMMENT_MARKER));
    if (mine) {
        await api.request("PATCH", `/repos/${repo}/issues/comments/${mine.id}`, { body: text });
        return { action: "updated", id: mine.id };
    }
    const created = await api.request<Comment>("POST", `/repos/${repo}/issues/${pr}/comments`, { body: text });
    return { action: "created", id: created.id };
}

export const DRIFT_LABEL = "accepted-domains-drift";

/** The marker of one stack's drift issue (a stack name is [A-Za-z0-9._-], nothing to escape). */
export function driftMarker(stack: string): string {
    return `<!-- exchange-accepted-domains:drift stack=${stack} -->`;
}

export type DriftIssueAction = "created" | "updated" | "closed" | "none";

/**
 * One open issue per stack: drift creates it or updates its body; back in sync closes it with a
 * comment; in sync without one does nothing. A failed report never reaches here (nothing is known).
 */
export async function syncDriftIssue(
    api: GitHubApi,
    repo: string,
    stack: string,
    status: "drift" | "in-sync",
    report: string,
    when: string = new Date().toISOString(),
): Promise<{ action: DriftIssueAction; number?: number }> {
    const marker = driftMarker(stack);
    const open = (await all<Issue>(api, `/repos/${repo}/issues?state=open`)).find((i) => i.pull_request === undefined && (i.body ?? "").includes(marker));
    const body = fitBody(`${marker}\n${report.trimEnd()}\n\n_Updated by the scheduled drift check at ${when}; closed automatically when the tenant matches the code again._\n`);
    if (status === "drift") {
        if (open) {
            await api.request("PATCH", `/repos/${repo}/issues/${open.number}`, { body });
            return { action: "updated", number: open.number };
        }
        const created = await api.request<Issue>("POST", `/repos/${repo}/issues`, { title: `Accepted domains drift in stack ${stack}`, body, labels: [DRIFT_LABEL] });
        return { action: "created", number: created.number };
    }
    if (!open) return { action: "none" };
    await api.request("POST", `/repos/${repo}/issues/${open.number}/comments`, { body: `The tenant matches the code again (drift check at ${when}). Closing.` });
    await api.request("PATCH", `/repos/${repo}/issues/${open.number}`, { state: "closed", state_reason: "completed" });
    return { action: "closed", number: open.number };
}
