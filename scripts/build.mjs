// Builds dist/ (the CLI and the Action, bundled ESM) and schemas/ (the plan's
// JSON Schema, generated from the zod schema). Both are committed; CI rebuilds
// them and fails when they differ from what is committed.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const banner = [
  "import { createRequire as __restorableCreateRequire } from 'node:module';",
  "import { fileURLToPath as __restorableFileURLToPath } from 'node:url';",
  "import { dirname as __restorableDirname } from 'node:path';",
  'const require = __restorableCreateRequire(import.meta.url);',
  'const __filename = __restorableFileURLToPath(import.meta.url);',
  'const __dirname = __restorableDirname(__filename);',
].join('\n');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The native SQLite addon is loaded at run time when present (the CLI on
  // Node 20/22); the Action's Node 24 uses node:sqlite instead.
  external: ['better-sqlite3'],
  loader: { '.node': 'empty' },
  legalComments: 'none',
  logLevel: 'warning',
};

if (!process.argv.includes('--schema-only')) {
  await build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${banner}` } });
  await build({ ...common, entryPoints: ['src/action/main.ts'], outfile: 'dist/index.js', banner: { js: banner } });
}
const schema = execFileSync(process.execPath, ['dist/cli.js', 'schema'], { encoding: 'utf8' });
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/restorable.schema.json', schema);
