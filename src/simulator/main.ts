/**
 * Standalone EMS simulator: `npm run simulator`. Settings come from SIMULATOR_* variables, the same
 * as for `npm start` (see env.ts: SIMULATOR_PORT (default 4010), SIMULATOR_HOST,
 * SIMULATOR_CLOCK_SPEED, SIMULATOR_SEED, SIMULATOR_CLUSTER_COUNT, SIMULATOR_WIRE,
 * SIMULATOR_LATENCY_MS, SIMULATOR_ERROR_RATE, SIMULATOR_RATE_LIMIT_RATE,
 * SIMULATOR_RETRY_AFTER_SECONDS, SIMULATOR_RESET_RATE, SIMULATOR_MALFORMED_RATE,
 * SIMULATOR_JOB_FAILURE_RATE, SIMULATOR_CREATE_FAILURE_RATE, SIMULATOR_DELETE_FAILURE_RATE,
 * SIMULATOR_FAULT_OPERATIONS).
 */
import { SimulatorStartError, startRegionalSimulators, startSimulator } from './dev.js';
import { loadSimulatorEnv } from './env.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof loadSimulatorEnv>;
  try {
    options = loadSimulatorEnv(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    if (options.regions?.length) {
      const regional = await startRegionalSimulators(options.regions, options);
      console.log(
        [
          `EMS simulator: ${regional.regions.length} regions (SIMULATOR_REGIONS), seed ${options.seed ?? 1} + i`,
          ...regional.regions.map((s) => `  ${s.region.padEnd(16)} ${s.url}  project ${s.credentials.projectId}  (IAM: ${s.url}/v3/projects)`),
          `  token (every region)  ${regional.credentials.token}`,
          `  AK / SK (every region) ${regional.credentials.ak} / ${regional.credentials.sk}`,
        ].join('\n'),
      );
      await waitForSignal(() => regional.stop());
      return;
    }
    sim = await startSimulator(options);
  } catch (err) {
    if (!(err instanceof SimulatorStartError)) throw err;
    console.error(`EMS simulator failed to start: ${err.message}`);
    process.exit(1);
  }
  const url = sim.url;
  const c = sim.credentials;
  console.log(
    [
      `EMS simulator listening at ${url} (seed ${options.seed ?? 1}, clock x${options.clockSpeed ?? 1}, wire ${options.wire ?? 'reference'})`,
      `  main project     ${c.projectId}`,
      `  token            ${c.token}`,
      `  read-only token  ${c.readOnlyToken}`,
      `  other project    ${c.otherProjectId}`,
      `  its token        ${c.otherProjectToken}`,
      `  expired token    ${c.expiredToken}`,
      `  AK / SK          ${c.ak} / ${c.sk}`,
      `Try: curl -s ${url}/v1/clusters -H 'X-Auth-Token: ${c.token}'`,
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the EMS simulator`);
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Stops on SIGINT or SIGTERM, then exits. */
function waitForSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise(() => {
    const shutdown = (signal: NodeJS.Signals) => {
      console.log(`${signal}: stopping the EMS simulator`);
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
