/**
 * The simulator as `npm start` runs it when EMS_ENDPOINT is unset: src/main.ts imports this module
 * dynamically (the production path never loads the simulator). Settings come from the same
 * SIMULATOR_* variables as `npm run simulator` (env.ts).
 */
import { loadSimulatorEnv, SimulatorEnvError } from './env.js';
import { createSimulator } from './index.js';
import { createRegionalSimulators, type RegionalSimulators } from './regions.js';
import type { EmsSimulator, SimulatorOptions } from './types.js';

export { loadSimulatorEnv, SimulatorEnvError };

/** The simulator's start-up failure, said in terms of the variable to change. */
export class SimulatorStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorStartError';
  }
}

/**
 * Starts a simulator with `options` (from loadSimulatorEnv). A port in use fails with one message
 * that names SIMULATOR_PORT.
 */
export async function startSimulator(options: SimulatorOptions & { port: number; host: string }): Promise<EmsSimulator> {
  const simulator = createSimulator(options);
  try {
    await simulator.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SimulatorStartError(
        `the EMS simulator's port ${options.port} on ${options.host} is in use: set SIMULATOR_PORT to a free port (0 picks one), or EMS_ENDPOINT to use a real EMS`,
        { cause: error },
      );
    }
    throw error;
  }
  return simulator;
}

/**
 * Starts one simulator per region of SIMULATOR_REGIONS (ports SIMULATOR_PORT, +1, +2, ...). A port
 * in use fails with one message that names SIMULATOR_PORT.
 */
export async function startRegionalSimulators(regions: string[], options: SimulatorOptions & { port: number; host: string }): Promise<RegionalSimulators> {
  const sims = createRegionalSimulators(regions, options);
  try {
    await sims.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SimulatorStartError(
        `a port of the EMS simulator's regions (from ${options.port} on ${options.host}, one per region) is in use: set SIMULATOR_PORT to a free range (0 picks ports), or EMS_REGIONS/EMS_ENDPOINT to use a real EMS`,
        { cause: error },
      );
    }
    throw error;
  }
  return sims;
}

/** What `npm start` prints about the simulated regions. */
export function regionsBanner(sims: RegionalSimulators, gatewayUrl: string, wire: string): string[] {
  const token = sims.credentials.token;
  return [
    `EMS simulator: ${sims.regions.length} regions (SIMULATOR_REGIONS; wire ${wire}):`,
    ...sims.regions.map((s) => `  ${s.region.padEnd(16)} ${s.url}  project ${s.credentials.projectId}`),
    `Send this token as the X-Auth-Token header (valid in every simulated region): ${token}`,
    `Try: curl -s ${gatewayUrl} -H 'content-type: application/json' -H 'x-auth-token: ${token}' \\`,
    `       -d '{"query":"{ regions { name healthy } clusters(first: 5) { totalCount edges { node { region id name status } } } }"}'`,
  ];
}

/** What `npm start` prints about the simulator, for a user to try the gateway at `gatewayUrl`. */
export function banner(simulator: EmsSimulator, gatewayUrl: string, wire: string): string[] {
  const token = simulator.credentials.token;
  return [
    `EMS simulator: ${simulator.url} (EMS_ENDPOINT unset, so the gateway uses the built-in simulator; wire ${wire})`,
    `Send this token as the X-Auth-Token header: ${token}`,
    `Try: curl -s ${gatewayUrl} -H 'content-type: application/json' -H 'x-auth-token: ${token}' \\`,
    `       -d '{"query":"{ clusters(first: 5) { totalCount edges { node { id name status } } } }"}'`,
  ];
}
