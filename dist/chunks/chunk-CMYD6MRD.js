import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  Secrets
} from "./chunk-XRTEQXPF.js";

// src/targets/credential-env.ts
var s3SecretEnv = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
var githubSecretEnv = ["GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN"];
var credentialEnv = [...s3SecretEnv, ...githubSecretEnv];
function secretsOf(env) {
  const secrets = new Secrets();
  secrets.addEnv(env);
  for (const name of credentialEnv) if (env[name]) secrets.add(env[name]);
  return secrets;
}

export {
  secretsOf
};
