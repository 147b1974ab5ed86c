import { strict as assert } from "assert";
import { driftMarker, fitBody, MAX_BODY, PR_COMMENT_MARKER, syncDriftIssue, upsertPullRequestComment, type GitHubApi } from "../../../scripts/ci/github";
import { composePullRequestComment, policyResults } from "../../../scripts/ci/pr-comment";
import { parsePublishArgs } from "../../../scripts/ci/publish";

/** An in-memory GitHub: what the REST calls did, with pagination at 100. */
function memoryGitHub(comments: { id: number; body: string }[] = [], issues: { number: number; body: string; state: string; pull_request?: object }[] = []) {
    const calls: string[] = [];
    const api: GitHubApi = {
        async request<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
            calls.push(`${method} ${path.replace(/[?&]per_page=100&page=\d+/, "")}`);
            const page = Number(/[?&]page=(\d+)/.exec(path)?.[1] ?? 1);
            if (method === "GET" && path.includes("/comments")) return comments.slice((page - 1) * 100, page * 100) as T;
            if (method === "GET") return issues.filter((i) => i.state === "open").slice((page - 1) * 100, page * 100) as T;
            if (method === "POST" && path.endsWith("/comments")) return { id: 999, ...body } as T;
            if (method === "POST") return { number: 77, ...body } as T;
            return {} as T;
        },
    };
    return { api, calls };
}

describe("CI: the gate's comment and the drift issue on GitHub", () => {
    it("creates the comment with the marker once, then edits that one, across pages", async () => {
        const none = memoryGitHub();
        assert.deepEqual(await upsertPullRequestComment(none.api, "o/r", 7, "hello"), { action: "created", id: 999 });
        assert.deepEqual(none.calls, ["GET /repos/o/r/issues/7/comments", "POST /repos/o/r/issues/7/comments"]);

        const others = Array.from({ length: 120 }, (_, i) => ({ id: i, body: i === 110 ? `${PR_COMMENT_MARKER}\nold` : "someone else" }));
        const many = memoryGitHub(others);
        assert.deepEqual(await upsertPullRequestComment(many.api, "o/r", 7, "new"), { action: "updated", id: 110 });
        assert.deepEqual(many.calls, ["GET /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/comments/110"]);
    });

    it("one issue per stack: created on drift, updated while it lasts, closed when in sync, untouched for another stack", async () => {
        const fresh = memoryGitHub();
        assert.deepEqual(await syncDriftIssue(fresh.api, "o/r", "prod", "drift", "| a |"), { action: "created", number: 77 });
        assert.deepEqual(await syncDriftIssue(fresh.api, "o/r", "prod", "in-sync", ""), { action: "none" });

        const issues = [
            { number: 5, body: `${driftMarker("dev")}\nx`, state: "open" },
            { number: 6, body: `${driftMarker("prod")}\nx`, state: "open", pull_request: {} },
            { number: 8, body: `${driftMarker("prod")}\nx`, state: "open" },
        ];
        const open = memoryGitHub([], issues);
        assert.deepEqual(await syncDriftIssue(open.api, "o/r", "prod", "drift", "| b |"), { action: "updated", number: 8 });
        assert.deepEqual(await syncDriftIssue(open.api, "o/r", "prod", "in-sync", ""), { action: "closed", number: 8 });
        assert.deepEqual(open.calls.filter((c) => !c.startsWith("GET")), ["PATCH /repos/o/r/issues/8", "POST /repos/o/r/issues/8/comments", "PATCH /repos/o/r/issues/8"]);
    });

    it("reads every policy result from the engine's event log, once each, without colour tokens", () => {
        const urn = "urn:pulumi:prod::p::exchange:index:AcceptedDomains$pulumi-nodejs:dynamic/exchange:AcceptedDomain::contoso.com";
        const event = (policyName: string, level: string, message: string) => JSON.stringify({ sequence: 1, policyEvent: { resourceUrn: urn, policyName, policyPackName: "pack", enforcementLevel: level, message } });
        const log = [
            JSON.stringify({ sequence: 0, diagnosticEvent: { message: "x" } }),
            event("synced-domain-not-authoritative", "mandatory", "<{%fg 13%}>contoso.com is directory-synced: KB 2510049<{%reset%}>\n"),
            event("synced-domain-not-authoritative", "mandatory", "<{%fg 13%}>contoso.com is directory-synced: KB 2510049<{%reset%}>\n"),
            '{"sequence": 3, "policyEvent": {"policyName": "cut',
        ].join("\n");
        assert.deepEqual(policyResults(log), [{ policyName: "synced-domain-not-authoritative", policyPackName: "pack", enforcementLevel: "mandatory", resource: "contoso.com", message: "contoso.com is directory-synced: KB 2510049" }]);
    });

    it("the comment: outcome with the base branch, each violation with its full reason, the exemptions used, what up would do", () => {
        const body = composePullRequestComment({
            passed: false,
            baseRef: "main",
            results: [
                { policyName: "synced-domain-not-authoritative", policyPackName: "p", enforcementLevel: "mandatory", resource: "contoso.com", message: "line one\nline two" },
                { policyName: "synced-domain-exemption-used", policyPackName: "p", enforcementLevel: "advisory", resource: "fabrikam.com", message: "passes only by its exemption, approved by a@b, valid until\n2099-01-01" },
            ],
            report: "- contoso.com: Set-AcceptedDomain -DomainType InternalRelay",
        });
        assert.match(body, /policy-config\.json of `main` .*\*\*failed\*\*/);
        assert.match(body, /\*\*\[mandatory\] `synced-domain-not-authoritative`\*\* on `contoso\.com`\n\n> line one\n> line two\n/);
        assert.match(body, /### Exemptions used\n\n- `fabrikam\.com`: passes only by its exemption, approved by a@b, valid until 2099-01-01\n/);
        assert.doesNotMatch(body, /synced-domain-exemption-used`\*\*/, "an exemption is not listed as a violation");
        assert.match(body, /### What `up` would do after merging\n\n- contoso\.com: Set-AcceptedDomain/);
        assert.match(composePullRequestComment({ passed: true, baseRef: "main", results: [] }), /\*\*passed\*\*[\s\S]*the drift report did not run/);
    });

    it("publish: arguments named, missing ones said with the usage", () => {
        assert.equal(parsePublishArgs(["drift-issue", "--repo", "o/r", "--stack", "s", "--report-exit-code", "1", "--report", "f"]).options.get("stack"), "s");
        assert.throws(() => parsePublishArgs(["pr-comment", "--repo", "o/r"]), /pr-comment: missing --pr, --outcome, --base-ref, --event-log\nusage:/);
        assert.throws(() => parsePublishArgs(["comment"]), /unknown command "comment"/);
        assert.throws(() => parsePublishArgs(["drift-issue", "--repo"]), /--repo needs a value/);
    });

    it("a body over GitHub's 65,536-character limit is cut, saying where the rest is", () => {
        assert.equal(fitBody("short"), "short");
        const cut = fitBody("x".repeat(MAX_BODY + 10));
        assert.equal(cut.length, MAX_BODY);
        assert.match(cut, /cut to GitHub's size limit .*workflow run's log/);
    });
});
