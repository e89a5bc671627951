/**
 * GitHub Actions artifacts as a target. Each object is one artifact, uploaded
 * unzipped (skipArchive) by @actions/artifact under a reversible name,
 * `restorable__<plan>__<backup id>__<file>`. Uploading needs the job's runtime
 * token, so it works only inside a GitHub Actions job; listing, downloading
 * and deleting go through the REST API with a token and work from anywhere
 * (GITHUB_TOKEN and GITHUB_REPOSITORY). The artifact client needs a file of
 * known length: each object is staged in a temporary file first.
 * GitHub deletes an artifact after its retention (1-90 days on public
 * repositories, up to 400 on private): the copy counts only until then.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, RunError } from '../errors.js';
import { chatterToStderr } from './actions-output.js';
import { GithubApi } from './github-api.js';
import { type StoredObject, type Target, type TargetAdapter } from './target.js';
import { githubArtifactConfig, githubArtifactTraits, type GithubArtifactConfig } from './github-artifact-config.js';
import { traitsOf } from './configs.js';

const PREFIX = 'restorable__';

/** Artifact names cannot hold "/": `/` becomes `__` and `_` becomes `_5f`, reversibly. */
export function artifactName(key: string): string {
  return PREFIX + key.replace(/_/g, '_5f').replace(/\//g, '__');
}

export function keyOfArtifact(name: string): string | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  let key = '';
  const text = name.slice(PREFIX.length);
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '_') key += text[i];
    else if (text[i + 1] === '_') (key += '/'), i++;
    else if (text.slice(i + 1, i + 3) === '5f') (key += '_'), (i += 2);
    else return undefined;
  }
  return key;
}

interface RestArtifact {
  id: number;
  name: string;
  size_in_bytes: number;
  created_at: string;
  expires_at: string | null;
  expired: boolean;
  workflow_run?: { id?: number };
}

class GithubArtifactTarget implements Target {
  readonly type = 'github-artifact';
  readonly where: string;
  readonly expiresAfterDays: number;
  readonly lockable = false;
  readonly writeOnce = true;
  private readonly api: GithubApi;

  constructor(
    readonly name: string,
    private readonly config: GithubArtifactConfig,
    readonly medium: Target['medium'],
    readonly offsite: boolean,
    readonly immutable: boolean,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    // The client quietly caps retention at the repository's maximum, which the runner passes as GITHUB_RETENTION_DAYS.
    const wanted = config.retention_days ?? 90;
    const cap = Number(env.GITHUB_RETENTION_DAYS);
    this.expiresAfterDays = cap > 0 && cap < wanted ? cap : wanted;
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub artifacts of ${this.api.repository ?? '(GITHUB_REPOSITORY unset)'}`;
  }

  private fail(doing: string, error: unknown): RunError {
    return this.api.fail(this.where, doing, error);
  }

  private async artifacts(): Promise<RestArtifact[]> {
    const all: RestArtifact[] = [];
    for (let page = 1; ; page++) {
      const response = (await this.api.request('GET', `/actions/artifacts?per_page=100&page=${page}`))!;
      const { artifacts } = (await response.json()) as { artifacts: RestArtifact[] };
      all.push(...artifacts.filter((a) => a.name.startsWith(PREFIX) && !a.expired));
      if (artifacts.length < 100) return all;
    }
  }

  private async find(key: string): Promise<RestArtifact | undefined> {
    const name = artifactName(key);
    // The newest, if a retried run uploaded it twice.
    return (await this.artifacts()).filter((a) => a.name === name).sort((a, b) => b.id - a.id)[0];
  }

  async probe(): Promise<void> {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": GitHub artifacts can only be uploaded from inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: 'Run the backup in the Action (or a workflow step), or leave this target out of local runs; list, restore and prune reach artifacts from anywhere with GITHUB_TOKEN and GITHUB_REPOSITORY.',
      });
    }
    this.api.repo();
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const name = artifactName(key);
    const dir = await mkdtemp(join(this.env.RUNNER_TEMP ?? tmpdir(), 'restorable-artifact-'));
    try {
      const file = join(dir, name);
      await pipeline(body, createWriteStream(file, { flags: 'wx' }));
      const { size } = await stat(file);
      const { DefaultArtifactClient } = await import('@actions/artifact');
      await chatterToStderr(() => new DefaultArtifactClient().uploadArtifact(name, [file], dir, { skipArchive: true, retentionDays: this.expiresAfterDays }));
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`uploading ${key}`, error);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    let artifact: RestArtifact | undefined;
    try {
      artifact = await this.find(key);
    } catch (error) {
      throw this.fail(`finding ${key}`, error);
    }
    if (!artifact) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
    const dir = await mkdtemp(join(this.env.RUNNER_TEMP ?? tmpdir(), 'restorable-artifact-'));
    try {
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const [owner, repo] = this.api.repo().split('/') as [string, string];
      const findBy = { token: this.api.token(), workflowRunId: artifact.workflow_run?.id ?? 0, repositoryOwner: owner, repositoryName: repo };
      await chatterToStderr(() => new DefaultArtifactClient().downloadArtifact(artifact.id, { path: dir, skipDecompress: true, findBy }));
      const stream = createReadStream(join(dir, artifact.name), { highWaterMark: 1 << 20 });
      stream.once('close', () => void rm(dir, { recursive: true, force: true }));
      await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
      return stream;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw this.fail(`downloading ${key}`, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    try {
      // A key uploaded again by a later run has two artifacts: the newest is the object.
      const newest = new Map<string, RestArtifact>();
      for (const artifact of (await this.artifacts()).sort((a, b) => a.id - b.id)) newest.set(artifact.name, artifact);
      return [...newest.values()]
        .map((a) => ({ key: keyOfArtifact(a.name), size: a.size_in_bytes, modified: new Date(a.created_at) }))
        .filter((o): o is StoredObject => o.key !== undefined && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }

  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      const wanted = new Set(keys.map(artifactName));
      for (const artifact of (await this.artifacts()).filter((a) => wanted.has(a.name))) {
        await this.api.request('DELETE', `/actions/artifacts/${artifact.id}`);
      }
    } catch (error) {
      throw this.fail('removing artifacts', error);
    }
  }
}

export const githubArtifact: TargetAdapter<GithubArtifactConfig> = {
  type: 'github-artifact',
  schema: githubArtifactConfig,
  ...githubArtifactTraits,
  create: (config, ctx) =>
    new GithubArtifactTarget(
      config.name,
      config,
      traitsOf(config).medium,
      traitsOf(config).offsite,
      traitsOf(config).immutable,
      ctx.env ?? process.env,
    ),
};

/** Environment variables that hold GitHub credentials: redacted from all output. */
export { githubSecretEnv } from './credential-env.js';
