/**
 * A stand-in for the two GitHub REST endpoints the suite calls (the runs of a workflow), served over real HTTP on
 * 127.0.0.1. GitHub's API cannot run here; everything on our side of the socket is the real code.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHubApi {
  url: string;
  requests: { path: string; query: Record<string, string>; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startFakeGitHubApi(options: {
  repository: string;
  runId: string;
  workflowId: number;
  /** head_sha of successful runs per branch, newest first. */
  successes: Record<string, string[]>;
  /** Answer every request with this status instead (e.g. 403). */
  status?: number;
}): Promise<FakeGitHubApi> {
  const requests: FakeGitHubApi['requests'] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (options.status) return send(options.status, { message: 'Resource not accessible by integration' });
    if (u.pathname === `/repos/${options.repository}/actions/runs/${options.runId}`) {
      return send(200, { id: Number(options.runId), workflow_id: options.workflowId });
    }
    if (u.pathname === `/repos/${options.repository}/actions/workflows/${options.workflowId}/runs`) {
      const shas =
        u.searchParams.get('status') === 'success'
          ? (options.successes[u.searchParams.get('branch') ?? ''] ?? [])
          : [];
      return send(200, { total_count: shas.length, workflow_runs: shas.map((head_sha) => ({ head_sha })) });
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
