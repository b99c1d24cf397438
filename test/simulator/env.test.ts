import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SimulatorStartError, startSimulator } from '../../src/simulator/dev.js';
import { loadSimulatorEnv } from '../../src/simulator/env.js';

describe('loadSimulatorEnv', () => {
  it('defaults to port 4010 on 127.0.0.1 with no faults', () => {
    expect(loadSimulatorEnv({})).toEqual({ port: 4010, host: '127.0.0.1', faults: {} });
  });

  it('reads every variable', () => {
    const opts = loadSimulatorEnv({
      SIMULATOR_PORT: '5000',
      SIMULATOR_HOST: '0.0.0.0',
      SIMULATOR_CLOCK_SPEED: '50',
      SIMULATOR_SEED: '9',
      SIMULATOR_CLUSTER_COUNT: '100',
      SIMULATOR_WIRE: 'variant',
      SIMULATOR_LATENCY_MS: '20',
      SIMULATOR_ERROR_RATE: '0.1',
      SIMULATOR_RATE_LIMIT_RATE: '0.05',
      SIMULATOR_RETRY_AFTER_SECONDS: '3',
      SIMULATOR_RESET_RATE: '0.01',
      SIMULATOR_MALFORMED_RATE: '0.02',
      SIMULATOR_JOB_FAILURE_RATE: '0.5',
      SIMULATOR_CREATE_FAILURE_RATE: '0.25',
      SIMULATOR_DELETE_FAILURE_RATE: '0.75',
      SIMULATOR_FAULT_OPERATIONS: 'ListClusters, ShowJob',
    });
    expect(opts).toEqual({
      port: 5000,
      host: '0.0.0.0',
      clockSpeed: 50,
      seed: 9,
      clusterCount: 100,
      wire: 'variant',
      faults: {
        latencyMs: 20,
        errorRate: 0.1,
        rateLimitRate: 0.05,
        retryAfterSeconds: 3,
        resetRate: 0.01,
        malformedRate: 0.02,
        jobFailureRate: 0.5,
        createFailureRate: 0.25,
        deleteFailureRate: 0.75,
        operations: ['ListClusters', 'ShowJob'],
      },
    });
  });

  it('treats empty values as unset', () => {
    expect(loadSimulatorEnv({ SIMULATOR_PORT: '', SIMULATOR_ERROR_RATE: ' ' })).toEqual({ port: 4010, host: '127.0.0.1', faults: {} });
  });

  it('reports every problem in one message', () => {
    let message = '';
    try {
      loadSimulatorEnv({ SIMULATOR_PORT: 'abc', SIMULATOR_ERROR_RATE: '2', SIMULATOR_CLOCK_SPEED: '0', SIMULATOR_FAULT_OPERATIONS: 'Nope', SIMULATOR_WIRE: 'loose' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['SIMULATOR_PORT', 'SIMULATOR_ERROR_RATE', 'SIMULATOR_CLOCK_SPEED', 'SIMULATOR_FAULT_OPERATIONS', 'SIMULATOR_WIRE']) expect(message).toContain(name);
  });
});

describe('the old SIM_ names', () => {
  it('are not read: every setting has one name, SIMULATOR_…; one set the old way stops start-up naming the new one', () => {
    expect(() => loadSimulatorEnv({ SIM_PORT: '5000', SIM_SEED: '2', SIM_UNRELATED: 'x' })).toThrow(
      /SIM_PORT: renamed SIMULATOR_PORT; set that instead\n.*SIM_SEED: renamed SIMULATOR_SEED; set that instead$/,
    );
  });
});

describe('startSimulator', () => {
  it('names SIMULATOR_PORT when its port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const error = await startSimulator({ port, host: '127.0.0.1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimulatorStartError);
      expect((error as Error).message).toBe(
        `the EMS simulator's port ${port} on 127.0.0.1 is in use: set SIMULATOR_PORT to a free port (0 picks one), or EMS_ENDPOINT to use a real EMS`,
      );
    } finally {
      blocker.close();
    }
  });
});
