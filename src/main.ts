import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';

async function main(): Promise<void> {
  const env = process.env;
  const problems: string[] = [];
  let config: Config | null = null;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  // Without EMS_ENDPOINT the gateway runs on the development simulator. It is loaded only then:
  // nothing on the production path imports it, and its settings (SIMULATOR_*) are its own.
  const dev = (env.EMS_ENDPOINT ?? '').trim() === '' && (env.EMS_REGIONS ?? '').trim() === '' ? await import('./simulator/dev.js') : null;
  let simulatorOptions: ReturnType<NonNullable<typeof dev>['loadSimulatorEnv']> | null = null;
  if (dev) {
    try {
      simulatorOptions = dev.loadSimulatorEnv(env);
    } catch (error) {
      if (!(error instanceof dev.SimulatorEnvError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0 || !config) {
    console.error(new ConfigError(problems).message);
    process.exit(1);
  }

  // SIMULATOR_REGIONS: one simulator per region, and the gateway spans them all (as with EMS_REGIONS).
  const regional = dev && simulatorOptions?.regions?.length ? await dev.startRegionalSimulators(simulatorOptions.regions, simulatorOptions) : null;
  const simulator = dev && simulatorOptions && !regional ? await dev.startSimulator(simulatorOptions) : null;
  if (simulator) config = { ...config, ems: { ...config.ems, endpoint: simulator.url, region: config.ems.region ?? simulator.region } };
  if (regional) {
    // Each simulated region's project id, as EMS_PROJECT_ID_<REGION> would give it (the printed
    // token is valid for each of them), so `regions { projectId }` and credentials know them.
    const regions = regional.regions.map((s) => ({ name: s.region, endpoint: s.url, projectId: s.credentials.projectId, iamEndpoint: s.url, discover: false }));
    config = { ...config, ems: { ...config.ems, endpoint: regions[0]!.endpoint, regions } };
  }
  const stopSimulators = async () => {
    await simulator?.stop();
    await regional?.stop();
  };
  let app;
  try {
    app = await buildApp(config);
  } catch (error) {
    await stopSimulators();
    throw error;
  }
  const logger = app.services.logger;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));

  let url: string;
  try {
    url = await app.start();
  } catch (error) {
    await app.stop();
    await stopSimulators();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${config.port} on ${config.host} is in use: set PORT to a free port`);
    }
    throw error;
  }
  const lines = [
    `ems-gateway: GraphQL at ${url} (WebSocket and SSE subscriptions on the same path${config.security.graphiql ? '; GraphiQL in a browser' : ''})`,
    `Dashboard: ${new URL('/', url)}`,
  ];
  if (dev && simulator) lines.push(...dev.banner(simulator, url, simulatorOptions?.wire ?? 'reference'));
  if (dev && regional) lines.push(...dev.regionsBanner(regional, url, simulatorOptions?.wire ?? 'reference'));
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    app
      .stop(config.shutdownGraceMs)
      .then(async ({ abandoned }) => {
        await stopSimulators();
        logger.info({ signal, abandoned }, 'shut down');
      })
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('ems-gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
