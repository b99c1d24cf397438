import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Copy, type Dockerfile, type From, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage {
  name: string | null;
  from: From;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

function stagesOf(file: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of file.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      stages.push({ name: from.getBuildStage(), from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The base image of a stage, with `${ARG}` references resolved to their defaults. */
const baseImage = (stage: Stage) =>
  stage.from.getImage()!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => dockerfile.resolveVariable(name, stage.from.getRange().start.line) ?? '');

const runs = (stage: Stage) => stage.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent()!);
const copies = (stage: Stage) =>
  stage.instructions
    .filter((i): i is Copy => i.getKeyword() === 'COPY')
    .map((copy) => {
      const args = copy.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
      return { from: copy.getFromFlag()?.getValue() ?? null, sources: args.slice(0, -1), dest: args.at(-1)! };
    });
const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword).at(-1);
const envOf = (stage: Stage) =>
  Object.fromEntries(
    stage.instructions
      .filter((i) => i.getKeyword() === 'ENV')
      .flatMap((i) => (i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties())
      .map((p) => [p.getName(), p.getValue() ?? '']),
  );
/** `["a", "b"]` after a Docker instruction's keyword (and HEALTHCHECK's flags and CMD), as Docker reads it. */
const execForm = (instruction: Instruction) => {
  const json = instruction.getArgumentsContent()!.replace(/^(--\S+\s+)*(CMD\s+)?/, '');
  return JSON.parse(json) as string[];
};

const stages = stagesOf(dockerfile);
const runtime = stages.at(-1)!;
const stageNamed = (name: string | null) => stages.find((s) => s.name === name);
const buildStage = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));

describe('Dockerfile', () => {
  it('is a Dockerfile the builder accepts, with no warnings', () => {
    expect(validate(text)).toEqual([]);
  });

  it('builds in a stage with dev dependencies: npm ci, then npm run build', () => {
    expect(buildStage).toBeDefined();
    const commands = runs(buildStage!);
    const ci = commands.findIndex((r) => /\bnpm ci\b/.test(r) && !/--omit=dev|--production/.test(r));
    const build = commands.findIndex((r) => /\bnpm run build\b/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
  });

  it('runs on a small Node 22 image with production dependencies, the built dist/ and web/dist/ only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(baseImage(runtime)).toMatch(/^(node:22(\.\d+)*-(bookworm|trixie)-slim|gcr\.io\/distroless\/nodejs22-debian\d+(:\w+)?)(@sha256:[0-9a-f]{64})?$/);
    // Nothing is installed or compiled in the runtime stage itself.
    expect(runs(runtime).filter((r) => /\b(npm|npx|yarn|pnpm|tsc|tsx)\b/.test(r))).toEqual([]);

    const copied = copies(runtime);
    const nodeModules = copied.find((c) => c.dest.replace(/\/$/, '').endsWith('node_modules'));
    expect(nodeModules?.from).not.toBeNull();
    const depsStage = stageNamed(nodeModules!.from);
    expect(runs(depsStage!).some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);

    for (const output of ['dist', 'web/dist']) {
      const copy = copied.find((c) => c.sources.some((s) => s.replace(/\/$/, '').endsWith(`/${output}`)));
      expect(copy, output).toBeDefined();
      expect(copy!.from).toBe(buildStage!.name);
    }
    // From the build context: package.json only (it says "type": "module" for dist/); no sources, no whole context.
    expect(copied.filter((c) => c.from === null).flatMap((c) => c.sources)).toEqual(['package.json']);
  });

  it('runs as a non-root user, known by number', () => {
    const user = last(runtime, 'USER')?.getArgumentsContent();
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
  });

  it('sets NODE_ENV=production and exposes the port it listens on', () => {
    const env = envOf(runtime);
    expect(env.NODE_ENV).toBe('production');
    expect(last(runtime, 'EXPOSE')?.getArgumentsContent()).toBe(env.PORT ?? '4000');
  });

  it('starts node dist/main.js directly, so node receives the container stop signal', () => {
    expect(runtime.instructions.filter((i) => i.getKeyword() === 'ENTRYPOINT')).toEqual([]);
    expect(execForm(last(runtime, 'CMD')!)).toEqual(['node', 'dist/main.js']);
  });

  it('has a HEALTHCHECK on /healthz with an interval and a timeout', () => {
    const healthcheck = dockerfile.getHEALTHCHECKs().at(-1)!;
    expect(healthcheck).toBeDefined();
    const flags = Object.fromEntries(healthcheck.getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(flags).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(execForm(healthcheck).join(' ')).toContain('/healthz');
  });
});

describe('.dockerignore', () => {
  // A CommonJS module whose typings declare `export default`; it sets `.default` on itself for that.
  const ignored = dockerignore.default().add(readFileSync(join(root, '.dockerignore'), 'utf8'));

  it('keeps local installs, builds, secrets and history out of the build context', () => {
    for (const path of ['node_modules/graphql/index.js', 'web/node_modules/x/index.js', 'dist/main.js', 'web/dist/index.html', '.git/HEAD', '.env', '.env.production', 'coverage/index.html']) {
      expect(ignored.ignores(path), path).toBe(true);
    }
  });

  it('sends everything the build reads', () => {
    const contextSources = stages.flatMap((s) => copies(s).filter((c) => c.from === null).flatMap((c) => c.sources)).filter((s) => s !== '.');
    for (const path of [...contextSources, 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts', 'src/simulator/index.ts', 'web/index.html', 'schema/schema.graphql']) {
      expect(ignored.ignores(path), path).toBe(false);
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs an exec-form command (its `node` is this Node) and resolves with its exit code. */
async function exitCodeOf(command: string[], options: { cwd: string; env: Record<string, string> }): Promise<number | null> {
  const [program, ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : program!, args, { ...options, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/**
 * The runtime stage laid out on disk as its COPY instructions describe: the image's working
 * directory with package.json from the context, dist/ and web/dist/ from a fresh compile, and
 * node_modules linked from the checkout (that it holds production dependencies only is
 * checked by the build test's import check). Then its CMD runs there with its ENV.
 */
describe('the runtime stage, laid out and started as the image would be', () => {
  let dir: string;
  let buildRoot: string;
  let workdir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ems-gateway-image-'));
    buildRoot = join(dir, 'build');
    const tsc = spawn(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(buildRoot, 'dist'), '--tsBuildInfoFile', join(buildRoot, 'dist/.tsbuildinfo')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    tsc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = await once(tsc, 'exit');
    expect(code, output).toBe(0);
    mkdirSync(join(buildRoot, 'web/dist'), { recursive: true });
    if (existsSync(join(root, 'web/dist'))) cpSync(join(root, 'web/dist'), join(buildRoot, 'web/dist'), { recursive: true });

    workdir = join(dir, 'image', last(runtime, 'WORKDIR')!.getArgumentsContent()!);
    mkdirSync(workdir, { recursive: true });
    for (const copy of copies(runtime)) {
      for (const source of copy.sources) {
        const target = join(workdir, copy.dest.endsWith('/') ? posix.basename(source) : copy.dest);
        mkdirSync(dirname(target), { recursive: true });
        if (copy.from === null) cpSync(join(root, source), target, { recursive: true });
        else if (copy.from === buildStage!.name) cpSync(join(buildRoot, posix.relative('/app', source)), target, { recursive: true });
        else if (source.endsWith('node_modules')) symlinkSync(join(root, 'node_modules'), target, 'dir');
        else throw new Error(`COPY --from=${copy.from} ${source}: not laid out by this test`);
      }
    }
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves, passes its HEALTHCHECK, and on SIGTERM exits 0, after which the HEALTHCHECK fails', async () => {
    const port = String(await freePort());
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...envOf(runtime),
      PORT: port,
      HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
    };
    const [program, ...args] = execForm(last(runtime, 'CMD')!);
    const gateway = spawn(program === 'node' ? process.execPath : program!, args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    gateway.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    gateway.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = once(gateway, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      await new Promise<void>((resolve, reject) => {
        gateway.stdout.on('data', () => output.includes('GraphQL at') && resolve());
        void exited.then(([code]) => reject(new Error(`the gateway exited (${code}):\n${output}`)));
      });
      const healthcheck = execForm(dockerfile.getHEALTHCHECKs().at(-1)!);
      expect(await exitCodeOf(healthcheck, { cwd: workdir, env })).toBe(0);

      gateway.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
      expect(await exitCodeOf(healthcheck, { cwd: workdir, env })).toBe(1);
    } finally {
      if (gateway.exitCode === null && gateway.signalCode === null) gateway.kill('SIGKILL');
    }
  }, 60_000);

  it('reports unhealthy when /healthz answers an error status', async () => {
    const server = createHttpServer((_, res) => res.writeHead(503).end()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = String((server.address() as { port: number }).port);
      const healthcheck = execForm(dockerfile.getHEALTHCHECKs().at(-1)!);
      expect(await exitCodeOf(healthcheck, { cwd: workdir, env: { PATH: process.env.PATH ?? '', PORT: port } })).toBe(1);
    } finally {
      server.close();
    }
  });
});
