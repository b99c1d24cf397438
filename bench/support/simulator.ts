/**
 * Child: the EMS simulator (the upstream of every section), in a process of its own so its CPU is
 * neither the gateway's nor the load generator's. Seeded with `SIM_CLUSTER_COUNT` clusters of
 * `SIM_JOBS_PER_CLUSTER` completed jobs each (deterministic: same ids on every run).
 */
import type { SimulatorStatsLogEntry } from '../../src/simulator/index.js';
import { createSimulator } from '../../src/simulator/index.js';
import { serveRpc } from './child.js';

export interface SimulatorReady {
  url: string;
  token: string;
  projectId: string;
}

const clusters = Number(process.env.SIM_CLUSTER_COUNT ?? 100);
const jobsPerCluster = Number(process.env.SIM_JOBS_PER_CLUSTER ?? 3);

// The clock is frozen while the seeded (completed) data is served; the subscription section runs it.
const sim = createSimulator({ clockSpeed: 0, seed: 1 });
sim.seedClusters(clusters, { jobsPerCluster });
const url = await sim.start();

serveRpc(
  {
    /** Added latency of every response, in ms. */
    setLatency: ({ ms }: { ms: number }) => sim.setFaults({ latencyMs: ms }),
    setClockSpeed: ({ speed }: { speed: number }) => sim.clock.setSpeed(speed),
    seed: ({ clusters: count, jobsPerCluster: jobs }: { clusters: number; jobsPerCluster: number }) =>
      sim.seedClusters(count, { jobsPerCluster: jobs }),
    resetStats: () => sim.stats.reset(),
    stats: (): { calls: Record<string, number>; maxInFlight: Record<string, number>; log: SimulatorStatsLogEntry[] } => ({
      calls: Object.fromEntries(Object.entries(sim.stats.calls).filter(([, n]) => n > 0)),
      maxInFlight: Object.fromEntries(Object.entries(sim.stats.maxInFlight).filter(([, n]) => n > 0)),
      log: sim.stats.log,
    }),
  },
  { url, token: sim.credentials.token, projectId: sim.credentials.projectId } satisfies SimulatorReady,
);
