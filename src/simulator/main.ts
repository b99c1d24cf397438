/**
 * Standalone EMS simulator: `npm run simulator`. Settings come from SIM_* variables (see env.ts:
 * SIM_PORT (default 4010), SIM_HOST, SIM_CLOCK_SPEED, SIM_SEED, SIM_CLUSTER_COUNT, SIM_LATENCY_MS,
 * SIM_ERROR_RATE, SIM_RATE_LIMIT_RATE, SIM_RETRY_AFTER_SECONDS, SIM_RESET_RATE, SIM_MALFORMED_RATE,
 * SIM_JOB_FAILURE_RATE, SIM_CREATE_FAILURE_RATE, SIM_DELETE_FAILURE_RATE, SIM_FAULT_OPERATIONS).
 */
import { loadSimulatorEnv } from './env.js';
import { createSimulator } from './index.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof loadSimulatorEnv>;
  try {
    options = loadSimulatorEnv(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const sim = createSimulator(options);
  const url = await sim.start();
  const c = sim.credentials;
  console.log(
    [
      `EMS simulator listening at ${url} (seed ${options.seed ?? 1}, clock x${options.clockSpeed ?? 1})`,
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
