// `node --import tsx packages/backend/src/db/prepare-pglite-template.ts [dir]`: makes the embedded
// database's template ahead of time (for a build or install step), so a server's first start on a
// new data dir copies it instead of running initdb and the migrations.
import { preparePgliteTemplate } from './database.ts';

const tarPath = await preparePgliteTemplate(...(process.argv[2] ? [process.argv[2]] : []));
process.stdout.write(`PGlite template: ${tarPath}\n`);
