// `npm start`: builds lakestream and its web dashboard, then runs `lakestream demo` — both example projects (live market
// trades and the video-game sales replay) streaming into bronze/silver tables until Ctrl-C.
// The games project replays ../shared/data/vgsales.csv when it exists, else a synthetic file generated into its data dir
// (`lakestream demo` chooses, so `npm start` and `lakestream demo` replay the same dataset).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const webBuild = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'warn',
    '--config',
    join(root, 'src', 'web', 'vite.config.ts'),
  ],
  { stdio: 'inherit', cwd: root },
);
if (webBuild.status !== 0) process.exit(webBuild.status ?? 1);

const cli = join(root, 'dist', 'cli', 'bin.js');
process.stdout.write(
  [
    'lakestream demo: the dashboard is on http://127.0.0.1:8080/ (API docs at /docs); markets on :8080, games on :8081. Ctrl-C stops it cleanly.',
    'In another terminal, watch the tables grow:',
    `  node ${cli} -w examples/markets/data/warehouse sql "SELECT symbol, count(*) AS trades, round(avg(price), 2) AS avg_price FROM silver.trades GROUP BY 1"`,
    `  node ${cli} -w examples/games/data/warehouse sql "SELECT genre, count(*) AS games, round(sum(global_sales), 2) AS sales FROM silver.games GROUP BY 1 ORDER BY 3 DESC"`,
    `  node ${cli} -w examples/markets/data/warehouse sql "SELECT * FROM gold.candles_1m ORDER BY minute DESC LIMIT 8"   # gold, refreshed after every silver commit`,
    `  node ${cli} models run --project examples/markets && node ${cli} models test --project examples/markets`,
    `  curl -N http://127.0.0.1:8080/v1/streams/trades/live`,
    '',
  ].join('\n'),
);
const { NODE_FLAGS } = await import(pathToFileURL(join(root, 'dist', 'cli', 'node-flags.js')).href);
const child = spawn(process.execPath, [...NODE_FLAGS, cli, 'demo'], { stdio: 'inherit', cwd: root });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
