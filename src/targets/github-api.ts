/**
 * GitHub's REST API for the GitHub targets: listing and deleting artifacts
 * and caches works from anywhere with a token (GITHUB_TOKEN, or `token:`),
 * for a repository (GITHUB_REPOSITORY, or `repository:`). Calls are retried
 * on network errors, 5xx and 429 within the run's retry budget.
 */
import { RunError, reason } from '../errors.js';
import { isNetworkError, retryBudgetMs, withRetry } from '../util/retry.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const transient = (error: unknown) => isNetworkError(error) || (error instanceof HttpError && (error.status >= 500 || error.status === 429));

export class GithubApi {
  constructor(
    private readonly target: string,
    private readonly config: { token?: string | undefined; repository?: string | undefined },
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get repository(): string | undefined {
    return this.config.repository ?? this.env.GITHUB_REPOSITORY;
  }

  token(): string {
    const token = this.config.token ?? this.env.GITHUB_TOKEN;
    if (!token) {
      throw new RunError(`Target "${this.target}": no token to reach GitHub's API.`, {
        hint: 'Set GITHUB_TOKEN (in a workflow: env: {GITHUB_TOKEN: ${{ github.token }}} with permissions actions: write), or token: ${VAR} in the target.',
      });
    }
    return token;
  }

  repo(): string {
    const repo = this.repository;
    if (!repo) throw new RunError(`Target "${this.target}": which repository? GITHUB_REPOSITORY is not set.`, { hint: 'Set repository: owner/name in the target, or GITHUB_REPOSITORY.' });
    return repo;
  }

  /** `path` is below /repos/<owner>/<name>; a 404 on DELETE counts as done. */
  async request(method: 'GET' | 'DELETE', path: string): Promise<Response | undefined> {
    const base = (this.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
    const url = `${base}/repos/${this.repo()}${path}`;
    const headers = { authorization: `Bearer ${this.token()}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    return withRetry(
      async () => {
        const response = await fetch(url, { method, headers });
        if (method === 'DELETE' && response.status === 404) return undefined;
        if (!response.ok) {
          const text = await response.text().catch(() => '');
          throw new HttpError(response.status, `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
        }
        return response;
      },
      { transient, totalMs: retryBudgetMs(this.env) },
    );
  }

  /** A RunError naming the target and what it was doing, with a hint for the usual statuses. */
  fail(where: string, doing: string, error: unknown): RunError {
    if (error instanceof RunError) return error;
    const status = error instanceof HttpError ? error.status : undefined;
    const hint =
      status === 401 ? 'GitHub refused the token: check GITHUB_TOKEN (or token:).'
      : status === 403 ? 'The token may not do this: it needs actions: read (list, restore) and actions: write (prune).'
      : status === 404 ? 'Check the repository (owner/name) and that the token can see it.'
      : isNetworkError(error) ? "GitHub's API could not be reached: check the network (and GITHUB_API_URL on GitHub Enterprise)."
      : undefined;
    return new RunError(`Target "${this.target}" (${where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }
}
