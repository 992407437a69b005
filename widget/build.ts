/**
 * Builds the embeddable widget: widget/src/index.ts bundled by esbuild, in memory, into one minified ES2020
 * IIFE with no runtime dependency. `npx tsx widget/build.ts` also writes dist/widget/v1.js and its SRI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { type WidgetAsset, widgetAsset } from '../functions/http/widget';

export type { WidgetAsset };

const HERE = dirname(fileURLToPath(import.meta.url));
export const WIDGET_ENTRY = join(HERE, 'src', 'index.ts');

/** The budget the issue sets (gzip, every language included); the goal is 3 KB. */
export const GZIP_BUDGET_BYTES = 5 * 1024;

export async function buildWidget(): Promise<WidgetAsset> {
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    // ASCII output (non-ASCII strings escaped): the file stays correct even if someone re-hosts it
    // without a charset. It costs a few bytes for the Chinese, Vietnamese and Korean strings.
    charset: 'ascii',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the widget');
  return widgetAsset(file.text);
}

async function main(): Promise<void> {
  const asset = await buildWidget();
  const out = join(HERE, '..', 'dist', 'widget');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'v1.js'), asset.js);
  await writeFile(join(out, 'v1.js.sri'), `${asset.sri}\n`);
  console.log(`dist/widget/v1.js  ${asset.js.length} bytes  ${asset.sri}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
