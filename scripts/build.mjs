// Builds dist/ (the CLI and the Action, bundled ESM), schemas/ (the plan's
// JSON Schema, generated from the zod schema) and workflows/ (the generic
// workflow templates, from the code `restorable workflow` uses). All are
// committed; CI rebuilds them and fails when they differ from what is committed.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  // Node 20/22); the Action's Node 24 uses node:sqlite instead. ssh2 asks for
  // cpu-features inside a try and runs without it; bundled, its unbuilt addon
  // (install scripts are off) would fail the build.
  external: ['better-sqlite3', 'cpu-features'],
  loader: { '.node': 'empty' },
  legalComments: 'none',
  logLevel: 'warning',
};

if (!process.argv.includes('--schema-only')) {
  // One build, two entries: what both use is shared, and what only some runs
  // need (the S3 SDK, ssh2, the GitHub clients) sits in chunks loaded on first
  // use, so a start parses ~2 MB instead of 10 (0.3 s and ~35 MB less).
  rmSync('dist', { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { cli: 'src/cli/bin.ts', index: 'src/action/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: banner },
  });
}
const schema = execFileSync(process.execPath, ['dist/cli.js', 'schema'], { encoding: 'utf8' });
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/restorable.schema.json', schema);

// The templates module is bundled to a scratch file and imported, so the
// static templates come from the very functions the CLI runs.
const scratch = mkdtempSync(join(tmpdir(), 'restorable-build-'));
await build({ ...common, entryPoints: ['src/workflows/templates.ts'], outfile: join(scratch, 'templates.mjs'), banner: { js: banner } });
const { staticTemplates } = await import(pathToFileURL(join(scratch, 'templates.mjs')).href);
rmSync(scratch, { recursive: true, force: true });
mkdirSync('workflows', { recursive: true });
for (const old of readdirSync('workflows')) if (old.endsWith('.yml')) rmSync(`workflows/${old}`);
for (const { file, content } of staticTemplates()) writeFileSync(`workflows/${file}`, content);
