// Health check: every asset row points at a file with the recorded sha256.
// restorable passes where the restored data is in RESTORABLE_SOURCE_<NAME>.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './sqlite.mjs';

const dbPath = process.env.RESTORABLE_SOURCE_DB;
const uploads = process.env.RESTORABLE_SOURCE_UPLOADS;
if (!dbPath || !uploads) {
  console.error('RESTORABLE_SOURCE_DB and RESTORABLE_SOURCE_UPLOADS must be set (restorable sets them)');
  process.exit(2);
}
const db = await openDatabase(dbPath, { readonly: true });
const rows = db.all('select path, sha256 from assets');
db.close();
const bad = rows.filter((row) => {
  try {
    return createHash('sha256').update(readFileSync(join(uploads, row.path))).digest('hex') !== row.sha256;
  } catch {
    return true;
  }
});
if (bad.length > 0) {
  console.error(`${bad.length} of ${rows.length} assets are missing or differ, e.g. ${bad[0].path}`);
  process.exit(1);
}
console.log(`all ${rows.length} assets present and intact`);
