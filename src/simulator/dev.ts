/**
 * The simulator as `npm start` runs it when EMS_ENDPOINT is unset: src/main.ts imports this module
 * dynamically (the production path never loads the simulator). Settings come from the same
 * SIMULATOR_* variables as `npm run simulator` (env.ts).
 */
import { loadSimulatorEnv, SimulatorEnvError } from './env.js';
import { createSimulator } from './index.js';
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
