/**
 * Builds the admin page: admin-ui/src/main.ts and styles.css bundled by esbuild, in memory, into ES2020
 * modules split by screen (the chart library and the OIDC client load only when needed), every file named by
 * its content hash. `npx tsx admin-ui/build.ts` also writes them to dist/admin/ with a manifest.json, for a
 * Lambda bundle to read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { type AdminAsset, type AdminManifest, adminAssetFile } from '../functions/http/admin-page';

export type { AdminAsset };

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = '/admin-out';

/** The budget for the script of the first load, gzipped. */
export const FIRST_LOAD_BUDGET_BYTES = 100 * 1024;

export async function buildAdminPage(): Promise<AdminAsset> {
  const result = await build({
    entryPoints: [join(HERE, 'src', 'main.ts'), join(HERE, 'src', 'styles.css')],
    bundle: true,
    write: false,
    outdir: OUT,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    entryNames: '[name].[hash]',
    chunkNames: 'chunk.[hash]',
    metafile: true,
    logLevel: 'silent',
  });
  const files = result.outputFiles.map((file) => adminAssetFile(basename(file.path), file.text));
  const meta = result.metafile as Metafile;
  const entry = (source: string) => {
    const found = Object.entries(meta.outputs).find(([, out]) => out.entryPoint?.endsWith(source));
    if (!found) throw new Error(`esbuild produced no output for ${source}`);
    return basename(found[0]);
  };
  const script = entry('src/main.ts');
  const style = entry('src/styles.css');
  return { script, style, files, firstLoadGzipBytes: firstLoadGzip(meta, script, files) };
}

/** The entry and every chunk it imports statically: what the browser fetches before anything shows. */
function firstLoadGzip(meta: Metafile, script: string, files: AdminAsset['files']): number {
  const outputs = new Map(Object.entries(meta.outputs).map(([path, out]) => [basename(path), out]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const imported of outputs.get(name)?.imports ?? []) {
      if (imported.kind === 'import-statement') visit(basename(imported.path));
    }
  };
  visit(script);
  return files
    .filter((file) => seen.has(file.name))
    .reduce((sum, file) => sum + gzipSync(file.body, { level: 9 }).length, 0);
}

/**
 * Builds the page and writes its files and manifest.json into `out`, as the admin function finds them beside
 * its bundle (the infra copies dist/admin/ there; tests and the bundle bench write their own).
 */
export async function writeAdminPage(out: string): Promise<AdminAsset> {
  const asset = await buildAdminPage();
  await mkdir(out, { recursive: true });
  for (const file of asset.files) await writeFile(join(out, file.name), file.body);
  const manifest: AdminManifest = {
    script: asset.script,
    style: asset.style,
    files: asset.files.map((f) => f.name),
    firstLoadGzipBytes: asset.firstLoadGzipBytes,
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return asset;
}

async function main(): Promise<void> {
  const asset = await writeAdminPage(join(HERE, '..', 'dist', 'admin'));
  console.log(
    `dist/admin/  ${asset.files.length} files, first load ${asset.firstLoadGzipBytes} bytes gzipped`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
