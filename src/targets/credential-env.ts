/**
 * The standard environment variables that hold target credentials, and the
 * secrets a run starts with. Kept apart from the target adapters so that a
 * CLI start (`--help`, `validate`) can build its redaction without loading
 * every target's code.
 */
import { Secrets } from '../report/secrets.js';

export const s3SecretEnv = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
export const githubSecretEnv = ['GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN'];

/** Credentials in standard variables: redacted from all output when set. */
export const credentialEnv = [...s3SecretEnv, ...githubSecretEnv];

/** The secrets a run starts with: the standard secret and credential variables set in `env` (both shells use this). */
export function secretsOf(env: NodeJS.ProcessEnv): Secrets {
  const secrets = new Secrets();
  secrets.addEnv(env);
  // Credentials in standard variables never pass through ${VAR}: register them for redaction too.
  for (const name of credentialEnv) if (env[name]) secrets.add(env[name]);
  return secrets;
}
