/**
 * Any S3-compatible store (AWS, R2, B2, MinIO, Wasabi...). Objects are written
 * with multipart uploads (lib-storage), which S3 makes visible only when
 * complete: a failed upload is aborted and leaves nothing under its key.
 * Checksums are sent only when an operation requires one: with the SDK's
 * default, many S3-compatible stores keep a streamed body with its aws-chunked
 * framing. Copies are verified by re-reading them (check.ts), which every
 * store supports alike.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectLockMode, S3Client, S3ClientConfig, StorageClass } from '@aws-sdk/client-s3';
import { NotFoundError, RunError, reason } from '../errors.js';
import { isNetworkError, retryBudgetMs, withRetry } from '../util/retry.js';
import { retryMessage, type StoredObject, type Target, type TargetAdapter } from './target.js';
import { s3Config, s3Traits, type S3Config } from './s3-config.js';
import { traitsOf } from './configs.js';

/** Environment variables that hold S3 credentials: redacted from all output. */
export { s3SecretEnv } from './credential-env.js';

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const TRANSIENT_NAMES = new Set(['SlowDown', 'RequestTimeout', 'RequestTimeTooSkewed', 'ServiceUnavailable', 'InternalError', 'ThrottlingException', 'TimeoutError']);

export function s3Transient(error: unknown): boolean {
  const e = error as AwsError;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return isNetworkError(error) || status >= 500 || status === 429 || TRANSIENT_NAMES.has(e?.name ?? '');
}

function hintFor(error: unknown, bucket: string): string | undefined {
  const e = error as AwsError;
  const status = e?.$metadata?.httpStatusCode;
  switch (e?.name ?? e?.Code) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidClientTokenId':
    case 'CredentialsProviderError':
      return 'The store refused the credentials: check access_key_id/secret_access_key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the endpoint.';
    case 'AccessDenied':
      return `The credentials may not write to bucket "${bucket}": grant s3:PutObject, GetObject, ListBucket and DeleteObject.`;
    case 'NoSuchBucket':
      return `Create bucket "${bucket}" first (restorable never creates buckets), or fix the name.`;
  }
  if (status === 403) return 'The store refused the request (403): check the credentials and their permissions on the bucket.';
  if (status === 404) return `Bucket "${bucket}" was not found: create it first, or check endpoint, region and path_style.`;
  if (isNetworkError(error)) return 'The store could not be reached: check the endpoint, the network and that the service is up.';
  return undefined;
}

function describe(error: unknown): string {
  const e = error as AwsError & Error;
  const status = e?.$metadata?.httpStatusCode;
  // Some SDK errors for bodiless responses (HEAD) carry only a status: say what it means.
  const text = reason(error) === 'UnknownError' || !reason(error) ? `HTTP ${status ?? '?'}` : reason(error);
  return status && !text.includes(String(status)) ? `${text} (HTTP ${status})` : text;
}

/**
 * The SDK is loaded on first use: bundled, it is a chunk of its own, and
 * parsing it on every start cost plans without an S3 target time and memory.
 */
let sdk: Promise<readonly [typeof import('@aws-sdk/client-s3'), typeof import('@aws-sdk/lib-storage')]> | undefined;
const loadSdk = () => (sdk ??= Promise.all([import('@aws-sdk/client-s3').then(commonJs), import('@aws-sdk/lib-storage').then(commonJs)]));

/** The bundle hands a CommonJS package to import() as its default export only; Node itself also names its exports. */
function commonJs<T>(mod: T): T {
  return (mod as { default?: T }).default ?? mod;
}

class S3Target implements Target {
  readonly type = 's3';
  readonly where: string;
  private readonly options: S3ClientConfig;
  private client?: S3Client;
  private readonly prefix: string;

  constructor(
    readonly name: string,
    private readonly config: S3Config,
    readonly medium: Target['medium'],
    readonly offsite: boolean,
    readonly immutable: boolean,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onRetry?: (message: string) => void,
  ) {
    this.prefix = config.prefix ? config.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
    this.where = `s3://${config.bucket}/${this.prefix}${config.endpoint ? ` at ${new URL(config.endpoint).host}` : ''}`;
    const options: S3ClientConfig = {
      region: config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: config.path_style ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      // Without these a connection that goes silent (a dead NAT entry, a hung proxy) waits for ever.
      requestHandler: { connectionTimeout: 30_000, requestTimeout: 120_000 },
    };
    if (config.endpoint) options.endpoint = config.endpoint;
    if (config.access_key_id && config.secret_access_key) {
      options.credentials = {
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
        ...(config.session_token ? { sessionToken: config.session_token } : {}),
      };
    }
    // The SDK's version is pinned (later releases need Node 22); its notice about future releases would only confuse users.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.options = options;
  }

  private async sdk() {
    const [s3, storage] = await loadSdk();
    this.client ??= new s3.S3Client(this.options);
    return { client: this.client, s3, Upload: storage.Upload };
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  private fail(doing: string, error: unknown): RunError {
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${describe(error)}`, { hint: hintFor(error, this.config.bucket), cause: error });
  }

  private retry<T>(doing: string, run: () => Promise<T>): Promise<T> {
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    const onRetry = (error: unknown, attempt: number, delay: number) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget));
    return withRetry(run, { transient: s3Transient, totalMs: budget, place: `s3:${this.config.endpoint ?? ''}/${this.config.bucket}`, onRetry }).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw error;
      throw this.fail(doing, error);
    });
  }

  async probe(): Promise<void> {
    if (this.config.access_key_id && !this.config.secret_access_key) {
      throw new RunError(`Target "${this.name}": access_key_id is set but secret_access_key is not.`, { hint: 'Set both, from ${VAR}, or neither (the standard AWS variables are then used).' });
    }
    const { client, s3 } = await this.sdk();
    await this.retry('checking the bucket', () => client.send(new s3.HeadBucketCommand({ Bucket: this.config.bucket })));
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const { client, Upload } = await this.sdk();
    let bytes = 0;
    // Counting in the pipe (not with a 'data' listener, which would start the flow before the upload reads).
    const counted = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const feeding = pipeline(body, counted).catch(() => undefined);
    const lock = this.config.object_lock;
    const upload = new Upload({
      client,
      // 8 MiB parts, two in flight: at most ~16 MiB in memory whatever the artifact's size.
      partSize: 8 << 20,
      queueSize: 2,
      leavePartsOnError: false,
      params: {
        Bucket: this.config.bucket,
        Key: this.key(key),
        Body: counted,
        ...(this.config.storage_class ? { StorageClass: this.config.storage_class as StorageClass } : {}),
        ...(lock
          ? {
              ObjectLockMode: lock.mode as ObjectLockMode,
              ObjectLockRetainUntilDate: new Date(Date.now() + lock.days * 86_400_000),
              // S3 requires a checksum on writes that set a lock.
              ChecksumAlgorithm: 'SHA256' as const,
            }
          : {}),
      },
    });
    try {
      await upload.done();
      await feeding;
      return { bytes };
    } catch (error) {
      body.destroy();
      await upload.abort().catch(() => undefined);
      throw this.fail(`writing ${key}`, error);
    }
  }

  async get(key: string): Promise<Readable> {
    return (await this.read(key)).body;
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    // A Range of no bytes is not one S3 accepts (416): nothing to ask for.
    if (length === 0) return Readable.from([]);
    const { body, from } = await this.read(key, `bytes=${offset}-${offset + length - 1}`);
    if (from > offset) {
      body.destroy();
      throw new RunError(`Target "${this.name}": reading ${key} from byte ${offset} returned bytes from ${from} on.`, { hint: 'The S3 service answers ranges wrongly; restore whole (without --path) or from another target.' });
    }
    // A server may answer a Range with more than was asked, or the whole object (HTTP allows it; s3rver
    // does for bytes=0-0): the bytes asked for are cut from what came, by where its Content-Range starts.
    const out = slice(offset - from, length);
    body.once('error', (error) => out.destroy(error));
    out.once('close', () => body.destroy());
    return body.pipe(out);
  }

  private async read(key: string, range?: string): Promise<{ body: Readable; from: number }> {
    const { client, s3 } = await this.sdk();
    const response = await this.retry(`reading ${key}`, async () => {
      try {
        return await client.send(new s3.GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(key), ...(range ? { Range: range } : {}) }));
      } catch (error) {
        if ((error as AwsError).name === 'NoSuchKey') throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
        // A range that starts past the end: no bytes there, as the other stores say.
        if (range && (error as AwsError).name === 'InvalidRange') return undefined;
        throw error;
      }
    });
    if (!response) return { body: Readable.from([]), from: 0 };
    const stream = response.Body;
    if (!(stream instanceof Readable)) throw new RunError(`Target "${this.name}": reading ${key} returned no stream.`);
    return { body: stream, from: Number(/^bytes (\d+)-/.exec(response.ContentRange ?? '')?.[1] ?? 0) };
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const { client, s3 } = await this.sdk();
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.retry(`listing ${prefix}`, () =>
        client.send(new s3.ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.key(prefix), ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({ key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async remove(keys: readonly string[]): Promise<void> {
    const { client, s3 } = await this.sdk();
    // One by one: DeleteObjects needs a Content-MD5 that several S3-compatible stores check differently.
    for (const key of keys) {
      await this.retry(`removing ${key}`, () => client.send(new s3.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(key) })));
    }
  }
}

/** Copies written under Object Lock cannot be changed or deleted before their time: they count as immutable. */

export const s3: TargetAdapter<S3Config> = {
  type: 's3',
  schema: s3Config,
  ...s3Traits,
  create: (config, ctx) =>
    new S3Target(
      config.name,
      config,
      traitsOf(config).medium,
      traitsOf(config).offsite,
      traitsOf(config).immutable,
      ctx.env ?? process.env,
      ctx.onRetry,
    ),
};

/** The bytes [offset, offset + length) of a whole object's stream. */
function slice(offset: number, length: number): Transform {
  let at = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const from = Math.max(0, offset - at);
      const to = Math.min(chunk.length, offset + length - at);
      at += chunk.length;
      callback(null, to > from ? chunk.subarray(from, to) : undefined);
    },
  });
}
