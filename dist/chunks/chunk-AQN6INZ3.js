import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  runCommand
} from "./chunk-K3PTCQNR.js";
import {
  RunError
} from "./chunk-WHVU3KGO.js";

// src/pipeline/hooks.ts
async function runHook(hook, label, options) {
  let result;
  try {
    result = await runCommand(hook.command, { cwd: options.cwd, timeoutMs: hook.timeout, signal: options.signal, env: options.env });
  } catch (error) {
    throw new RunError(`The ${label} ${JSON.stringify(hook.command)} could not start: ${error.message}`, {
      hint: "Command paths are relative to the plan file; make sure the file exists and is executable."
    });
  }
  if (result.timedOut) throw new RunError(`The ${label} ${JSON.stringify(hook.command)} timed out after ${hook.timeout / 1e3}s and was stopped.`);
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout).split("\n").slice(-5).join("\n");
    throw new RunError(`The ${label} ${JSON.stringify(hook.command)} failed (${result.signal ?? `exit ${result.code}`})${output ? `:
${output}` : "."}`);
  }
  return result.stdout;
}

export {
  runHook
};
