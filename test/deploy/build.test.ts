import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { connect } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Runs an npm script to completion in the repo, as a developer or CI would. */
async function npmRun(script: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', ['run', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

/** `express` for `express/x`, `@scope/pkg` for `@scope/pkg/x`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Import specifiers of a module, static and dynamic, read by the TypeScript scanner. */
const importsOf = (file: string) =>
  ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((ref) => ref.fileName);

describe('npm run build', () => {
  beforeAll(async () => {
    const { code, output } = await npmRun('build');
    expect(code, output).toBe(0);
  }, 180_000);

  it('compiles every source file under src/, the simulator included, into dist/', () => {
    const sources = filesUnder(join(root, 'src'), '.ts').map((file) => relative(join(root, 'src'), file).replace(/\.ts$/, '.js'));
    const built = new Set(filesUnder(join(root, 'dist'), '.js').map((file) => relative(join(root, 'dist'), file)));
    expect(sources.filter((file) => !built.has(file))).toEqual([]);
    expect(built).toContain('main.js');
    expect(built).toContain('simulator/index.js');
  });

  it('leaves a build whose imports resolve with production dependencies only', () => {
    const problems: string[] = [];
    for (const file of filesUnder(join(root, 'dist'), '.js')) {
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          try {
            readFileSync(target);
          } catch {
            problems.push(`${relative(root, file)}: ${specifier} does not exist in dist/`);
          }
        } else if (!isBuiltin(specifier) && !(packageOf(specifier) in pkg.dependencies)) {
          problems.push(`${relative(root, file)}: ${specifier} is not a production dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps tsx and the compiler out of production dependencies', () => {
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.dependencies).not.toHaveProperty('typescript');
    expect(pkg.devDependencies).toHaveProperty('tsx');
  });
});

interface Started {
  npm: ChildProcess;
  /** stdout and stderr of every process npm started, as they came. */
  output: () => string;
  gatewayUrl: URL;
  simulatorUrl: URL;
  token: string;
}

/**
 * `npm start` as a user runs it, in a process group of its own (as a container's PID 1 or a
 * terminal's foreground job is), with no EMS configuration: it builds, then serves on ports the
 * system picks.
 */
async function npmStart(): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // npm echoes the scripts it runs at its default log level, whatever the caller's npm was told.
      npm_config_loglevel: 'notice',
      EMS_ENDPOINT: '',
      PORT: '0',
      HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      LOG_LEVEL: 'info',
    },
  });
  let output = '';
  npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const banner = /GraphQL at (\S+) [\s\S]*EMS simulator: (\S+) [\s\S]*X-Auth-Token header: (\S+)/;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (banner.test(output)) resolve();
    };
    npm.stdout!.on('data', check);
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${output}`)));
    check();
  });
  const [, gateway, simulator, token] = banner.exec(output)!;
  // The banner prints `localhost`; the gateway listens on 127.0.0.1 only.
  const gatewayUrl = new URL(gateway!.replace('localhost', '127.0.0.1'));
  return { npm, output: () => output, gatewayUrl, simulatorUrl: new URL(simulator!), token: token! };
}

/** Whether anything still accepts TCP connections on the URL's port. */
async function listening(url: URL): Promise<boolean> {
  const socket = connect(Number(url.port), url.hostname);
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Whether any process of the group is still alive (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Waits until every process of the group is gone, or gives up after `ms` and says whether it is. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const started = performance.now();
  while (groupAlive(pgid)) {
    if (performance.now() - started > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('npm start', () => {
  const scenarios: { name: string; signal: NodeJS.Signals; target: 'npm' | 'group' }[] = [
    { name: 'SIGTERM to the npm process, as a container runtime sends it to PID 1', signal: 'SIGTERM', target: 'npm' },
    { name: 'SIGTERM to the whole process group', signal: 'SIGTERM', target: 'group' },
    { name: 'SIGINT to the whole process group, as Ctrl-C in a terminal', signal: 'SIGINT', target: 'group' },
  ];

  for (const { name, signal, target } of scenarios) {
    it(`serves from the compiled build, and on ${name} the gateway stops and nothing is left running`, async () => {
      const started = await npmStart();
      const pgid = started.npm.pid!;
      try {
        // The build ran first, and what runs is the compiled gateway, not tsx.
        expect(started.output()).toContain('tsc -p tsconfig.build.json');
        expect(started.output()).toContain('node dist/main.js');
        const health = await fetch(new URL('/healthz', started.gatewayUrl));
        expect(health.status).toBe(200);
        const response = await fetch(started.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-auth-token': started.token },
          body: JSON.stringify({ query: '{ clusters(first: 2) { edges { node { id name status } } } }' }),
        });
        const body = (await response.json()) as { data?: { clusters: { edges: unknown[] } }; errors?: unknown };
        expect(body.errors).toBeUndefined();
        expect(body.data!.clusters.edges).toHaveLength(2);

        const exited = once(started.npm, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
        process.kill(target === 'npm' ? pgid : -pgid, signal);
        const [code, killedBy] = await exited;

        // The gateway itself saw the signal and ran its own shutdown (its log line), then exited 0.
        const shutdownLine = started
          .output()
          .split('\n')
          .find((line) => line.includes('"msg":"shutting down"'));
        expect(shutdownLine, started.output()).toBeDefined();
        expect(JSON.parse(shutdownLine!).signal).toBe(signal);
        expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
        expect(await listening(started.gatewayUrl)).toBe(false);
        expect(await listening(started.simulatorUrl)).toBe(false);
        expect(await groupGone(pgid, 10_000)).toBe(true);
      } finally {
        if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      }
    }, 180_000);
  }

});
