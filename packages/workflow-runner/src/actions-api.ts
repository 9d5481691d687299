/**
 * The GitHub REST endpoints the actions call, answered on 127.0.0.1 from the local runner's own state, so the demo
 * and the end-to-end tests never reach the internet:
 * - detect-changed-paths' `since-last-success`: a run's workflow, and a workflow's runs (from the run history, so a
 *   push after a failed run really is compared with the last good commit);
 * - the pull request plan: a run's artifacts and their zip (what actions/upload-artifact kept), a pull request,
 *   its issue comments (list, create, update) and check runs (create).
 * Each job's token carries the job's `permissions:` (read-only for a fork's pull request): a write the token may
 * not make is answered 403 like GitHub does, an unknown token 401.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { zipSync } from 'fflate';
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

export interface LocalComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface LocalCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string };
}

export interface LocalArtifact {
  id: number;
  runId: number;
  name: string;
  files: Map<string, Buffer>;
}

/** What a test can look at afterwards: every write the API accepted or refused. */
export interface ApiCall {
  method: string;
  path: string;
  status: number;
  token: string;
}

export class LocalActionsApi {
  private readonly runs: RecordedRun[] = [];
  private readonly tokens = new Map<string, Record<string, string>>();
  private readonly pulls = new Map<number, { headSha: string; headRepo: string; state: string }>();
  readonly comments: LocalComment[] = [];
  readonly checkRuns: LocalCheckRun[] = [];
  readonly artifacts: LocalArtifact[] = [];
  readonly calls: ApiCall[] = [];
  private nextId = 9000;
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

  /** A job's token and its permissions (scope → read | write). */
  grant(token: string, permissions: Record<string, string>): void {
    this.tokens.set(token, permissions);
  }

  addArtifact(runId: number, name: string, files: Map<string, Buffer>): void {
    const i = this.artifacts.findIndex((a) => a.runId === runId && a.name === name);
    if (i >= 0) this.artifacts.splice(i, 1);
    this.artifacts.push({ id: ++this.nextId, runId, name, files });
  }

  /** A pull request as GitHub knows it (its head moves with each push). */
  setPullRequest(number: number, headSha: string, headRepo: string): void {
    this.pulls.set(number, { headSha, headRepo, state: 'open' });
  }

  commentsOn(issue: number): LocalComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Where the API listens (started on first use; it never keeps the process alive). */
  address(): Promise<string> {
    this.url ??= new Promise((resolve) => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          try {
            this.answer(req, Buffer.concat(chunks).toString('utf8'), (status, body, type) => {
              res.writeHead(status, { 'content-type': type ?? 'application/json' });
              res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
            });
          } catch (err) {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: (err as Error).message }));
          }
        });
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

  private answer(
    req: IncomingMessage,
    text: string,
    reply: (status: number, body: unknown, type?: string) => void,
  ): void {
    const u = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const auth = String(req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
    const perms = this.tokens.get(auth);
    const send = (status: number, body: unknown, type?: string): void => {
      if (method !== 'GET') this.calls.push({ method, path: u.pathname, status, token: auth });
      reply(status, body, type);
    };
    if (!perms) return send(401, { message: 'Bad credentials' });
    const may = (scope: string, level: 'read' | 'write'): boolean =>
      perms[scope] === 'write' || (level === 'read' && perms[scope] === 'read');
    const refuse = (): void => send(403, { message: 'Resource not accessible by integration' });
    const body = (): Record<string, unknown> => (text ? (JSON.parse(text) as Record<string, unknown>) : {});
    const prefix = `/repos/${this.repository}`;
    const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : '';
    let m: RegExpExecArray | null;

    if ((m = /^\/actions\/runs\/(\d+)$/.exec(path)) && method === 'GET') {
      if (!may('actions', 'read')) return refuse();
      const id = Number(m[1]);
      const file = this.inFlight.get(id) ?? this.runs.find((r) => r.id === id)?.workflowFile;
      return file
        ? send(200, { id, workflow_id: this.workflowId(file) })
        : send(404, { message: 'Not Found' });
    }
    if ((m = /^\/actions\/workflows\/(\d+)\/runs$/.exec(path)) && method === 'GET') {
      if (!may('actions', 'read')) return refuse();
      const q = u.searchParams;
      const wfId = Number(m[1]);
      const found = this.runs
        .filter(
          (r) =>
            this.workflowId(r.workflowFile) === wfId &&
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
    if ((m = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(path)) && method === 'GET') {
      if (!may('actions', 'read')) return refuse();
      const name = u.searchParams.get('name');
      const list = this.artifacts.filter((a) => a.runId === Number(m![1]) && (!name || a.name === name));
      return send(200, {
        total_count: list.length,
        artifacts: list.map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: [...a.files.values()].reduce((n, b) => n + b.length, 0),
          expired: false,
        })),
      });
    }
    if ((m = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(path)) && method === 'GET') {
      if (!may('actions', 'read')) return refuse();
      const a = this.artifacts.find((x) => x.id === Number(m![1]));
      if (!a) return send(404, { message: 'Not Found' });
      const zip = zipSync(Object.fromEntries([...a.files].map(([k, v]) => [k, new Uint8Array(v)])));
      return send(200, Buffer.from(zip), 'application/zip');
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(path)) && method === 'GET') {
      if (!may('pull-requests', 'read') && !may('contents', 'read')) return refuse();
      const pr = this.pulls.get(Number(m[1]));
      if (!pr) return send(404, { message: 'Not Found' });
      return send(200, {
        number: Number(m[1]),
        state: pr.state,
        head: { sha: pr.headSha, repo: { full_name: pr.headRepo } },
      });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
      const issue = Number(m[1]);
      if (method === 'GET') {
        if (!may('pull-requests', 'read') && !may('issues', 'read') && !may('contents', 'read'))
          return refuse();
        const all = this.commentsOn(issue);
        const perPage = Number(u.searchParams.get('per_page') ?? 30);
        const page = Number(u.searchParams.get('page') ?? 1);
        return send(200, all.slice((page - 1) * perPage, page * perPage));
      }
      if (method === 'POST') {
        if (!may('pull-requests', 'write') && !may('issues', 'write')) return refuse();
        if (!this.pulls.has(issue)) return send(404, { message: 'Not Found' });
        const now = new Date().toISOString();
        const c: LocalComment = {
          id: ++this.nextId,
          issue,
          body: String(body().body ?? ''),
          user: { login: 'github-actions[bot]', type: 'Bot' },
          created_at: now,
          updated_at: now,
        };
        this.comments.push(c);
        return send(201, c);
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(path)) && method === 'PATCH') {
      if (!may('pull-requests', 'write') && !may('issues', 'write')) return refuse();
      const c = this.comments.find((x) => x.id === Number(m![1]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = String(body().body ?? '');
      c.updated_at = new Date().toISOString();
      return send(200, c);
    }
    if (path === '/check-runs' && method === 'POST') {
      if (!may('checks', 'write')) return refuse();
      const b = body() as Omit<LocalCheckRun, 'id'>;
      const run: LocalCheckRun = { ...b, id: ++this.nextId };
      this.checkRuns.push(run);
      return send(201, run);
    }
    send(404, { message: 'Not Found' });
  }

  close(): void {
    this.server?.close();
  }
}
