/**
 * The two GitHub REST endpoints detect-changed-paths' `since-last-success` calls (a run's workflow, and a
 * workflow's runs), answered from the local runner's own run history on 127.0.0.1. The demo and the end-to-end
 * tests never reach the internet, and a push after a failed run really is compared with the last good commit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

export interface RecordedRun {
  id: number;
  workflowFile: string;
  event: string;
  branch: string;
  headSha: string;
  conclusion: string;
}

export class LocalActionsApi {
  private readonly runs: RecordedRun[] = [];
  private readonly workflowIds = new Map<string, number>();
  private server: Server | undefined;
  private url: Promise<string> | undefined;

  constructor(private readonly repository: string) {}

  workflowId(file: string): number {
    const name = basename(file);
    let id = this.workflowIds.get(name);
    if (id === undefined) this.workflowIds.set(name, (id = 100 + this.workflowIds.size));
    return id;
  }

  /** A run is visible to the API once it has ended (the run asking is never its own "last success"). */
  record(run: RecordedRun): void {
    this.runs.push(run);
  }

  /** A run that has started: the API knows its workflow (GET /runs/{id}) but lists it nowhere yet. */
  begin(id: number, workflowFile: string): void {
    this.inFlight.set(id, workflowFile);
  }

  /** A run that has ended becomes visible in the workflow's run list. */
  end(run: RecordedRun): void {
    this.inFlight.delete(run.id);
    this.runs.push(run);
  }

  private readonly inFlight = new Map<number, string>();

  /** Where the API listens (started on first use; it never keeps the process alive). */
  address(): Promise<string> {
    this.url ??= new Promise((resolve) => {
      const server = createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://local');
        const send = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        const prefix = `/repos/${this.repository}/actions`;
        const runMatch = new RegExp(`^${prefix}/runs/(\\d+)$`).exec(u.pathname);
        if (runMatch) {
          const id = Number(runMatch[1]);
          const file = this.inFlight.get(id) ?? this.runs.find((r) => r.id === id)?.workflowFile;
          return file
            ? send(200, { id, workflow_id: this.workflowId(file) })
            : send(404, { message: 'Not Found' });
        }
        const wfMatch = new RegExp(`^${prefix}/workflows/(\\d+)/runs$`).exec(u.pathname);
        if (wfMatch) {
          const q = u.searchParams;
          const found = this.runs
            .filter(
              (r) =>
                this.workflowId(r.workflowFile) === Number(wfMatch[1]) &&
                (!q.get('branch') || r.branch === q.get('branch')) &&
                (!q.get('event') || r.event === q.get('event')) &&
                (!q.get('status') || r.conclusion === q.get('status')),
            )
            .reverse()
            .slice(0, Number(q.get('per_page') ?? 30));
          return send(200, {
            total_count: found.length,
            workflow_runs: found.map((r) => ({ id: r.id, head_sha: r.headSha })),
          });
        }
        send(404, { message: 'Not Found' });
      });
      server.on('connection', (socket) => socket.unref());
      server.listen(0, '127.0.0.1', () => {
        server.unref();
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
      this.server = server;
    });
    return this.url;
  }

  close(): void {
    this.server?.close();
  }
}
