/**
 * Several regions, as `SIMULATOR_REGIONS=cn-north-4,cn-east-3,ap-southeast-1` asks: one simulator
 * per region, each on a port of its own (the gateway tells regions apart by endpoint, as it does
 * with the real `ems.{region}.myhuaweicloud.com`), each with its own seeded fleet and project id.
 * They share the account: one token and one AK/SK are accepted everywhere (each for that region's
 * project), and every region's IAM `GET /v3/projects` lists the projects of all of them.
 */
import { createSimulator, DEFAULT_SIMULATOR_REGION } from './index.js';
import type { EmsSimulator, SimulatorCredentials, SimulatorIamProject, SimulatorOptions } from './types.js';

export interface RegionalSimulators {
  /** The simulators in the order the regions were given. */
  readonly regions: readonly EmsSimulator[];
  /** The simulator of one region. @throws Error for a region it does not serve. */
  region(name: string): EmsSimulator;
  /** The shared token and AK/SK; `projectId` is the first region's. */
  readonly credentials: SimulatorCredentials;
  /** Starts every region; resolves to their URLs by region. */
  start(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * One simulator per region. `options.port` is the first region's port; the next ones take the
 * following ports (0 = each an ephemeral port). Region i is seeded with `seed + i`.
 * @throws RangeError on an empty or repeated region, or an invalid option.
 */
export function createRegionalSimulators(regions: readonly string[], options: SimulatorOptions = {}): RegionalSimulators {
  const names = regions.length > 0 ? [...regions] : [DEFAULT_SIMULATOR_REGION];
  if (new Set(names).size !== names.length) throw new RangeError(`Invalid simulator options: a region is repeated in ${names.join(',')}`);
  const projects: SimulatorIamProject[] = [];
  const iamProjects = () => projects;
  const first = createSimulator({ ...options, region: names[0]!, iamProjects });
  const shared = { token: first.credentials.token, ak: first.credentials.ak, sk: first.credentials.sk };
  const sims = [first];
  names.slice(1).forEach((name, i) => {
    const port = options.port ? options.port + i + 1 : 0;
    sims.push(createSimulator({ ...options, port, seed: (options.seed ?? 1) + i + 1, region: name, sharedCredentials: shared, iamProjects }));
  });
  for (const sim of sims) projects.push({ id: sim.credentials.projectId, name: sim.region }, { id: sim.credentials.otherProjectId, name: `${sim.region}_other` });
  const byName = new Map(sims.map((s) => [s.region, s]));
  return {
    regions: sims,
    region(name) {
      const sim = byName.get(name);
      if (!sim) throw new Error(`no simulated region ${name} (serving ${names.join(', ')})`);
      return sim;
    },
    credentials: first.credentials,
    async start() {
      const urls: Record<string, string> = {};
      try {
        for (const sim of sims) urls[sim.region] = await sim.start();
      } catch (error) {
        await Promise.all(sims.map((s) => s.stop()));
        throw error;
      }
      return urls;
    },
    async stop() {
      await Promise.all(sims.map((s) => s.stop()));
    },
  };
}
