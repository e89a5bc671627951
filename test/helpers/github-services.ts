/**
 * GitHub's artifact service at the protocol level, for tests: the results
 * service's Twirp calls the real @actions/artifact client makes to upload
 * (CreateArtifact, FinalizeArtifact), the Azure block-blob upload to the
 * signed URL (Put Block, Put Block List), and the REST endpoints used from
 * anywhere with a token to list, download (302 to a blob URL) and delete
 * artifacts across runs; and the cache service v2 (CreateCacheEntry,
 * FinalizeCacheEntryUpload, GetCacheEntryDownloadURL, a single-shot blob
 * upload, a plain download) with the REST cache list and delete. Everything
 * is kept in memory. What GitHub does
 * beyond this (its authorisation, quotas, expiry on its own clock) is not here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';

export interface StoredArtifact {
  id: number;
  name: string;
  runBackendId: string;
  workflowRunId: number;
  createdAt: string;
  expiresAt: string | null;
  data: Buffer | null;
  hash: string | null;
}

export interface StoredCache {
  id: number;
  key: string;
  version: string;
  createdAt: string;
  data: Buffer | null;
  finalized: boolean;
}

export interface GitHubServices {
  url: string;
  artifacts: Map<number, StoredArtifact>;
  caches: Map<number, StoredCache>;
  /** Environment for a process that runs "inside" a job of run `runId`. */
  jobEnv(runId?: number): Record<string, string>;
  /** Environment for a process outside Actions that may use the REST API. */
  restEnv(): Record<string, string>;
  close(): Promise<void>;
}

const TOKEN = 'ghs_testtokenvalue000000000000000';
const REPO = 'acme/photos';

function runtimeToken(runBackendId: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ scp: `Actions.GenericRead Actions.Results:${runBackendId}:job-${runBackendId}` })}.x`;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, value?: unknown, headers: Record<string, string> = {}): void {
  const text = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export async function startGitHubServices(): Promise<GitHubServices> {
  const artifacts = new Map<number, StoredArtifact>();
  const caches = new Map<number, StoredCache>();
  const blocks = new Map<number, Map<string, Buffer>>();
  let nextId = 1000;
  let url = '';

  const restJson = (a: StoredArtifact) => ({
    id: a.id,
    name: a.name,
    size_in_bytes: a.data?.length ?? 0,
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    expired: a.expiresAt !== null && Date.parse(a.expiresAt) <= Date.now(),
    digest: a.hash,
    workflow_run: { id: a.workflowRunId },
  });

  const twirp = async (method: string, input: Record<string, unknown>, res: ServerResponse) => {
    const runBackendId = String(input.workflowRunBackendId ?? input.workflow_run_backend_id ?? '');
    const name = String(input.name ?? '');
    if (method === 'CreateArtifact') {
      if ([...artifacts.values()].some((a) => a.runBackendId === runBackendId && a.name === name)) {
        return send(res, 409, { code: 'already_exists', msg: `an artifact named ${name} exists in this run` });
      }
      const id = nextId++;
      artifacts.set(id, {
        id,
        name,
        runBackendId,
        workflowRunId: Number(runBackendId.replace(/\D/g, '')) || 1,
        createdAt: new Date().toISOString(),
        expiresAt: typeof input.expiresAt === 'string' ? input.expiresAt : null,
        data: null,
        hash: null,
      });
      blocks.set(id, new Map());
      return send(res, 200, { ok: true, signedUploadUrl: `${url}/blob/${id}?sig=signed` });
    }
    if (method === 'FinalizeArtifact') {
      const artifact = [...artifacts.values()].find((a) => a.runBackendId === runBackendId && a.name === name);
      if (!artifact?.data) return send(res, 404, { code: 'not_found', msg: 'no uploaded artifact by that name' });
      if (String(input.size) !== String(artifact.data.length)) return send(res, 400, { code: 'invalid_argument', msg: `size ${String(input.size)} does not match ${artifact.data.length}` });
      artifact.hash = (input.hash as string | undefined) ?? null;
      return send(res, 200, { ok: true, artifactId: String(artifact.id) });
    }
    return send(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  };

  // Cache service v2: reserve, upload to the signed URL, finalize; look up by key and version.
  const cacheTwirp = (method: string, input: Record<string, unknown>, res: ServerResponse) => {
    const key = String(input.key ?? '');
    const version = String(input.version ?? '');
    const entry = [...caches.values()].find((c) => c.key === key && c.version === version);
    if (method === 'CreateCacheEntry') {
      if (entry) return send(res, 200, { ok: false, message: 'cache entry already exists' });
      const id = nextId++;
      caches.set(id, { id, key, version, createdAt: new Date().toISOString(), data: null, finalized: false });
      return send(res, 200, { ok: true, signedUploadUrl: `${url}/cacheblob/${id}?sig=signed` });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      if (!entry?.data || String(entry.data.length) !== String(input.sizeBytes ?? input.size_bytes)) return send(res, 200, { ok: false, message: 'no upload of that size' });
      entry.finalized = true;
      return send(res, 200, { ok: true, entryId: String(entry.id) });
    }
    if (method === 'GetCacheEntryDownloadURL') {
      if (!entry?.finalized) return send(res, 200, { ok: false, signedDownloadUrl: '', matchedKey: '' });
      return send(res, 200, { ok: true, signedDownloadUrl: `${url}/cacheblob/${entry.id}?sig=signed`, matchedKey: entry.key });
    }
    return send(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  };

  const cacheBlocks = new Map<number, Map<string, Buffer>>();
  const cacheBlob = async (id: number, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const entry = caches.get(id);
    if (!entry) return send(res, 404);
    if (req.method === 'PUT') {
      if (!cacheBlocks.has(id)) cacheBlocks.set(id, new Map());
      return putBlob(entry, cacheBlocks.get(id)!, req, res, query);
    }
    if (req.method === 'GET' && entry.data) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(entry.data.length) });
      res.end(entry.data);
      return;
    }
    res.writeHead(405).end();
  };

  const blob = async (id: number, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const artifact = artifacts.get(id);
    if (!artifact) return send(res, 404);
    if (req.method !== 'PUT') return void res.writeHead(405).end();
    return putBlob(artifact, blocks.get(id)!, req, res, query);
  };

  /** Azure block blobs: Put Block, then Put Block List in order; or one Put Blob. */
  const putBlob = async (artifact: { data: Buffer | null }, staged: Map<string, Buffer>, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    if (req.method === 'PUT' && query.get('comp') === 'block') {
      const data = await body(req);
      staged.set(query.get('blockid')!, data);
      res.writeHead(201).end();
      return;
    }
    if (req.method === 'PUT' && query.get('comp') === 'blocklist') {
      const xml = (await body(req)).toString();
      const ids = [...xml.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map((m) => m[1]!);
      if (ids.some((b) => !staged.has(b))) return void res.writeHead(400).end('<Error><Code>InvalidBlockList</Code></Error>');
      artifact.data = Buffer.concat(ids.map((b) => staged.get(b)!));
      res.writeHead(201, { etag: '"1"', 'last-modified': new Date().toUTCString() }).end();
      return;
    }
    if (req.method === 'PUT') {
      artifact.data = await body(req);
      res.writeHead(201, { etag: '"1"', 'last-modified': new Date().toUTCString() }).end();
      return;
    }
    res.writeHead(405).end();
  };

  const rest = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${TOKEN}` && auth !== `Bearer ${TOKEN}`) return send(res, 401, { message: 'Bad credentials' });
    if (path === `/repos/${REPO}/actions/caches`) {
      const prefix = query.get('key') ?? '';
      const matching = [...caches.values()].filter((c) => c.finalized && c.key.startsWith(prefix));
      if (req.method === 'GET') {
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const rows = matching.slice((page - 1) * perPage, page * perPage).map((c) => ({ id: c.id, key: c.key, version: c.version, ref: 'refs/heads/main', created_at: c.createdAt, last_accessed_at: c.createdAt, size_in_bytes: c.data!.length }));
        return send(res, 200, { total_count: matching.length, actions_caches: rows });
      }
      if (req.method === 'DELETE') {
        const exact = matching.filter((c) => c.key === prefix);
        if (exact.length === 0) return send(res, 404, { message: 'Not Found' });
        for (const c of exact) caches.delete(c.id);
        return send(res, 200, { total_count: exact.length, actions_caches: [] });
      }
    }
    const base = `/repos/${REPO}/actions/artifacts`;
    if (!path.startsWith(base)) return send(res, 404, { message: 'Not Found' });
    const rest = path.slice(base.length);
    const live = [...artifacts.values()].filter((a) => a.data && a.hash !== undefined);
    if (req.method === 'GET' && rest === '') {
      const perPage = Number(query.get('per_page') ?? 30);
      const page = Number(query.get('page') ?? 1);
      const matching = live.filter((a) => !query.get('name') || a.name === query.get('name')).sort((a, b) => b.id - a.id);
      return send(res, 200, { total_count: matching.length, artifacts: matching.slice((page - 1) * perPage, page * perPage).map(restJson) });
    }
    const match = /^\/(\d+)(\/zip)?$/.exec(rest);
    const artifact = match ? artifacts.get(Number(match[1])) : undefined;
    if (!artifact) return send(res, 404, { message: 'Not Found' });
    if (req.method === 'GET' && match![2]) return send(res, 302, undefined, { location: `${url}/download/${artifact.id}?sig=signed` });
    if (req.method === 'DELETE' && !match![2]) {
      artifacts.delete(artifact.id);
      res.writeHead(204).end();
      return;
    }
    return send(res, 405, { message: 'Method not allowed' });
  };

  const server: Server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://localhost');
    const path = parsed.pathname;
    const handle = async () => {
      const twirpMatch = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(path);
      if (twirpMatch && req.method === 'POST') return twirp(twirpMatch[1]!, JSON.parse((await body(req)).toString() || '{}'), res);
      const cacheMatch = /^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\/(\w+)$/.exec(path);
      if (cacheMatch && req.method === 'POST') return cacheTwirp(cacheMatch[1]!, JSON.parse((await body(req)).toString() || '{}'), res);
      const cacheBlobMatch = /^\/cacheblob\/(\d+)$/.exec(path);
      if (cacheBlobMatch) return cacheBlob(Number(cacheBlobMatch[1]), req, res, parsed.searchParams);
      const blobMatch = /^\/blob\/(\d+)$/.exec(path);
      if (blobMatch) return blob(Number(blobMatch[1]), req, res, parsed.searchParams);
      const download = /^\/download\/(\d+)$/.exec(path);
      if (download && req.method === 'GET') {
        const artifact = artifacts.get(Number(download[1]));
        if (!artifact?.data) return send(res, 404);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(artifact.data.length), 'content-disposition': `attachment; filename=${artifact.name}` });
        res.end(artifact.data);
        return;
      }
      return rest(req, res, path, parsed.searchParams);
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { message: String(error) });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    artifacts,
    caches,
    jobEnv: (runId = 1) => ({
      GITHUB_ACTIONS: 'true',
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RUNTIME_TOKEN: runtimeToken(`run${runId}`),
      ACTIONS_RESULTS_URL: `${url}/`,
      GITHUB_API_URL: url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: REPO,
      GITHUB_TOKEN: TOKEN,
      GITHUB_RUN_ID: String(runId),
      // The cache client archives in RUNNER_TEMP (default /home/actions/temp): keep it in the machine's temp folder.
      RUNNER_TEMP: tmpdir(),
    }),
    restEnv: () => ({ GITHUB_API_URL: url, GITHUB_REPOSITORY: REPO, GITHUB_TOKEN: TOKEN }),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
