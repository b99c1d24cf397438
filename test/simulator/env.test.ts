import { describe, expect, it } from 'vitest';
import { loadSimulatorEnv } from '../../src/simulator/env.js';

describe('loadSimulatorEnv', () => {
  it('defaults to port 4010 on 127.0.0.1 with no faults', () => {
    expect(loadSimulatorEnv({})).toEqual({ port: 4010, host: '127.0.0.1', faults: {} });
  });

  it('reads every variable', () => {
    const opts = loadSimulatorEnv({
      SIM_PORT: '5000',
      SIM_HOST: '0.0.0.0',
      SIM_CLOCK_SPEED: '50',
      SIM_SEED: '9',
      SIM_CLUSTER_COUNT: '100',
      SIM_LATENCY_MS: '20',
      SIM_ERROR_RATE: '0.1',
      SIM_RATE_LIMIT_RATE: '0.05',
      SIM_RETRY_AFTER_SECONDS: '3',
      SIM_RESET_RATE: '0.01',
      SIM_MALFORMED_RATE: '0.02',
      SIM_JOB_FAILURE_RATE: '0.5',
      SIM_CREATE_FAILURE_RATE: '0.25',
      SIM_DELETE_FAILURE_RATE: '0.75',
      SIM_FAULT_OPERATIONS: 'ListClusters, ShowJob',
    });
    expect(opts).toEqual({
      port: 5000,
      host: '0.0.0.0',
      clockSpeed: 50,
      seed: 9,
      clusterCount: 100,
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
    expect(loadSimulatorEnv({ SIM_PORT: '', SIM_ERROR_RATE: ' ' })).toEqual({ port: 4010, host: '127.0.0.1', faults: {} });
  });

  it('reports every problem in one message', () => {
    let message = '';
    try {
      loadSimulatorEnv({ SIM_PORT: 'abc', SIM_ERROR_RATE: '2', SIM_CLOCK_SPEED: '0', SIM_FAULT_OPERATIONS: 'Nope' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['SIM_PORT', 'SIM_ERROR_RATE', 'SIM_CLOCK_SPEED', 'SIM_FAULT_OPERATIONS']) expect(message).toContain(name);
  });
});
