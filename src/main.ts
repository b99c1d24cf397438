import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await buildApp(config);
  const logger = app.services.logger;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));

  const url = await app.start();
  const lines = [`ems-gateway: GraphQL at ${url} (WebSocket and SSE subscriptions on the same path)`];
  if (app.simulator) {
    const c = app.simulator.credentials;
    lines.push(
      `EMS simulator: ${app.simulator.url} (EMS_ENDPOINT unset, so the gateway uses the built-in simulator)`,
      `Send this token as the X-Auth-Token header: ${c.token}`,
      `Try: curl -s ${url} -H 'content-type: application/json' -H 'x-auth-token: ${c.token}' \\`,
      `       -d '{"query":"{ clusters(first: 5) { totalCount edges { node { id name status } } } }"}'`,
    );
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    app.stop(config.shutdownGraceMs).then(
      ({ abandoned }) => {
        logger.info({ signal, abandoned }, 'shut down');
        process.exit(0);
      },
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
