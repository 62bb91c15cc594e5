// `make console`: bundle src/ into the console function's static files (committed, so `make run`
// and `sam build` need no Node). `node build.mjs --outdir DIR` builds elsewhere (the freshness test).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf('--outdir');
const outdir = flag > 0 ? resolve(process.argv[flag + 1]) : resolve(here, '../functions/console/static');

await mkdir(outdir, { recursive: true });
const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  legalComments: 'eof', // Chart.js's MIT notice stays in the bundle
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/main.js'], outfile: `${outdir}/app.js`, format: 'esm', target: 'es2020' });
await build({ ...common, entryPoints: ['src/style.css'], outfile: `${outdir}/app.css` });
await copyFile(resolve(here, 'src/index.html'), `${outdir}/index.html`);
console.log(`built ${outdir}`);
