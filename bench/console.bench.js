// Console benchmark: how much JavaScript the console's first screen loads (gzipped) and how
// long its build takes, each against a baseline measured in the same run.
//
//   npm run build && node bench/console.bench.js       (or BENCH_ONLY=console npm run bench)
//
// - Initial JavaScript: the entry chunk of console/index.html and every chunk it imports
//   statically, from Vite's build manifest (lazy chunks, loaded by `import()`, are reported
//   apart), each gzipped at level 9. Baseline: a page that only renders one element with
//   React 19 (react + react-dom/client), built by the same Vite in the same run.
// - Build time: `vite build` of the console, against `tsc -p tsconfig.build.json` of the
//   service (what `npm run build` runs before it), both cold child processes, BENCH_ROUNDS
//   rounds (default 3) alternating, medians compared.
// Builds go to a scratch directory: dist/ is not touched. Times are reported, never asserted.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { figure, ROOT, summarize } from './lib/common.js';

const BENCH = 'console';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const scratch = mkdtempSync(path.join(tmpdir(), 'ccc-bench-console-'));
const bin = (pkg, file) => path.join(ROOT, 'node_modules', pkg, file);

/** Runs node with `args` in the project; resolves with the wall time in ms. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${args[0]} exited ${code}`)),
    );
  });
}

const consoleOut = path.join(scratch, 'console');
const viteBuild = () =>
  timed([
    bin('vite', 'bin/vite.js'),
    'build',
    '--config',
    'console/vite.config.ts',
    '--outDir',
    consoleOut,
    '--emptyOutDir',
    '--manifest',
    '--logLevel',
    'warn',
  ]);
const tscBuild = () =>
  timed([
    bin('typescript', 'bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--outDir',
    path.join(scratch, 'server'),
  ]);

/** The entry's chunk and its static imports (transitively); the rest, lazy. */
function initialChunks(outDir) {
  const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8'));
  const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry, found ${entries.length}`);
  const initial = new Set();
  const visit = (key) => {
    if (initial.has(key)) return;
    initial.add(key);
    for (const next of manifest[key].imports ?? []) visit(next);
  };
  visit(entries[0][0]);
  const js = (keys) =>
    [...new Set(keys.map((k) => manifest[k].file))].filter((f) => f.endsWith('.js'));
  const css = [...initial].flatMap((k) => manifest[k].css ?? []);
  const lazy = Object.keys(manifest).filter((k) => !initial.has(k));
  return { initial: js([...initial]), lazy: js(lazy), css };
}

const gz = (outDir, files) =>
  files.reduce(
    (sum, f) => sum + gzipSync(readFileSync(path.join(outDir, f)), { level: 9 }).length,
    0,
  );
const raw = (outDir, files) =>
  files.reduce((sum, f) => sum + readFileSync(path.join(outDir, f)).length, 0);

/** The baseline page: React 19 rendering one element, nothing else. */
async function reactBaseline() {
  const root = path.join(scratch, 'react-root');
  const out = path.join(scratch, 'react-out');
  mkdirSync(root, { recursive: true });
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><html><body><div id="root"></div><script type="module" src="./main.js"></script></body></html>',
  );
  writeFileSync(
    path.join(root, 'main.js'),
    "import { createElement } from 'react';\nimport { createRoot } from 'react-dom/client';\n" +
      "createRoot(document.getElementById('root')).render(createElement('p', null, 'Hello'));\n",
  );
  const { build } = await import(
    path.join(ROOT, 'node_modules', 'vite', 'dist', 'node', 'index.js')
  );
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    resolve: {
      alias: {
        react: path.join(ROOT, 'node_modules', 'react'),
        'react-dom': path.join(ROOT, 'node_modules', 'react-dom'),
      },
    },
    build: { outDir: out, emptyOutDir: true, manifest: true },
  });
  return gz(out, initialChunks(out).initial);
}

try {
  const vite = [];
  const tsc = [];
  for (let round = 0; round < ROUNDS; round++) {
    tsc.push(await tscBuild());
    vite.push(await viteBuild());
  }
  const viteTimes = summarize(vite);
  const tscTimes = summarize(tsc);
  figure(BENCH, 'vite_build_p50', viteTimes.p50 / 1000, 's', {
    rounds: ROUNDS,
    max: Math.round(viteTimes.max) / 1000,
  });
  figure(BENCH, 'tsc_build_p50', tscTimes.p50 / 1000, 's', {
    rounds: ROUNDS,
    max: Math.round(tscTimes.max) / 1000,
  });
  figure(BENCH, 'build_ratio_vite_vs_tsc', viteTimes.p50 / tscTimes.p50, 'x');

  const chunks = initialChunks(consoleOut);
  // The manifest's answer, checked against what the built page itself loads at once.
  const html = readFileSync(path.join(consoleOut, 'index.html'), 'utf8');
  const loaded = [
    ...html.matchAll(
      /<(?:script type="module"[^>]*src|link rel="modulepreload"[^>]*href)="\/console\/([^"]+)"/g,
    ),
  ].map((m) => m[1]);
  if (loaded.sort().join() !== [...chunks.initial].sort().join()) {
    throw new Error(
      `index.html loads ${loaded.join(', ')}; the manifest says ${chunks.initial.join(', ')}`,
    );
  }
  const initialGz = gz(consoleOut, chunks.initial);
  const baselineGz = await reactBaseline();
  figure(BENCH, 'initial_js_gzip_kb', initialGz / 1024, 'kB', { files: chunks.initial });
  figure(BENCH, 'initial_js_raw_kb', raw(consoleOut, chunks.initial) / 1024, 'kB');
  figure(BENCH, 'initial_css_gzip_kb', gz(consoleOut, chunks.css) / 1024, 'kB');
  figure(BENCH, 'lazy_js_gzip_kb', gz(consoleOut, chunks.lazy) / 1024, 'kB', {
    files: chunks.lazy,
  });
  figure(BENCH, 'react_only_js_gzip_kb', baselineGz / 1024, 'kB');
  figure(BENCH, 'initial_js_ratio_vs_react_only', initialGz / baselineGz, 'x');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
