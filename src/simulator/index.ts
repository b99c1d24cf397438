/**
 * EMS simulator: a plain node:http server speaking the 16 operations of the EMS REST API. Public
 * contract: notes/simulator-api.md.
 *
 * A room of its own: the gateway's production path never imports it (`npm start` loads it through
 * `dev.ts` when EMS_ENDPOINT is unset). It shares with the gateway only the request side: the zod
 * request models and rules of src/ems/models (which it checks incoming bodies against) and the
 * signer's canonical request (which it verifies AK/SK signatures with). Every answer it writes
 * itself (`wire.ts`), from its own state: the gateway's read models must not agree with it by
 * construction.
 *
 * Layout: `server.ts` routing and the request pipeline, `handlers.ts` the 16 operations,
 * `wire.ts` the answers (reference or variant), `jobs.ts` the job engine and cluster state
 * machine, `store.ts` per-project state, `seed.ts` seeded data, `auth.ts` token and AK/SK
 * authentication, `faults.ts` fault injection, `stats.ts` call counters, `validation.ts` zod
 * issues → EMS errors, `clock.ts` virtual time, `env.ts` the SIMULATOR_* settings, `main.ts` the
 * standalone `npm run simulator`, `dev.ts` the embedded one of `npm start`.
 *
 * Ambiguities of the EMS reference, and how they are resolved here:
 * - Times: `yyyy-MM-ddTHH:mm:ssZ`; a job's or task's `begin_at` and `end_at` are `""` until they
 *   happen (the reference's form), in the default `reference` wire mode (see wire.ts for `variant`).
 * - Pagination: limit/offset are unsigned decimal integers given at most once. Bounds: releases
 *   and features limit 0..1000 (default 100); clusters and jobs limit 0..1000 (default 1000);
 *   labels limit 1..2000 (default 2000), offset 0..2000; other offsets 0..2147483647. Anything
 *   else → 400 EMS.00004000 "invalid pagination parameters".
 * - Validation: numeric ranges (node_count, huge_page_num, ...) → 400 common.00000400
 *   `[object].[field]: must be greater/less than or equal to [bound]` (object = enclosing field,
 *   `body` at top level). Everything else (missing, type, pattern, string length, array size,
 *   enums) → 400 EMS.00004000 `invalid parameter: <path>: <problem>; ...`. Unknown body fields are
 *   ignored. A malformed or empty JSON body → 400 EMS.00004000. Bad path ids (cluster_id not a UUID,
 *   job_id not `short-`/`long-`/`ems-custom-`, project_id not 1–255 alphanumerics) → 400 EMS.00004000.
 * - Defaults filled in on create: label ems=true, node_count 3 (the minimum; the scan gives no
 *   default), version = the PREFERRED_VERSION release (25.12.0), lts_enable true, lts_connect_type 0,
 *   monitor_enable true, node_type 0, charge_mode 0, huge_page_num 131072, huge_page_flavor 2.
 *   namespace, flavor and description have no documented default and stay null. A version that is
 *   not a listed release → 400 EMS.00004000.
 * - An unknown k8s_cluster_id (valid UUID) on create/enroll is accepted: a CCE cluster
 *   `cce-{first 8 hex}` with the largest CoreDNS flavor and no CIE collector is registered for it.
 *   ListClustersLabels on a CCE cluster the project does not know → 200 {total: 0, labels: []}.
 * - Add-on checks (400 ems.00030002) on create, enroll and expand: the CIE-collector conflict when
 *   the CCE cluster runs it with enable_custom_metrics=true and monitor_enable is not false
 *   (seeded: `cce-observability-bj4`); the CoreDNS check when the resulting node count exceeds what
 *   the installed CoreDNS flavor serves (tiers ≤50 / ≤200 / ≤512 nodes; seeded `cce-dev-bj4` and
 *   `cce-sandbox-bj4` have the smallest, so node_count 51+ fails there). Order of checks on create:
 *   body → version → duplicate name → CIE → CoreDNS → createFailureRate fault.
 * - Duplicate names (400 ems.00030033) are checked among the project's non-DELETED clusters.
 * - Wrong state: delete of DELETING/DELETED → 400 ems.00030034 "Cluster cannot be deleted in
 *   current state: [%s]"; expand/shrink of a non-RUNNING cluster → 400 ems.00030034 "Cluster is not
 *   running, current state: [%s]"; authorize of DELETING/DELETED → 400 ems.00030034 "Cluster cannot
 *   be authorized in current state: [%s]"; enrol with the cluster_id of a non-DELETED cluster →
 *   400 ems.00030034 "Cluster cannot be enrolled in current state: [%s]".
 * - Unknown job id → 404 ems.00030006 "Job not found: [%s]." (no code in the scan).
 * - Unknown route or method → 404 APIGW.0101. Body over 1 MiB → 413 APIGW.0201. Unparseable
 *   HTTP → 400 APIGW.0201. Any unexpected throw in the pipeline → 500 common.00000500
 *   "Internal server error: <message>" (the process never crashes on a request).
 * - 403 (read-only caller on a write: CreateCluster, DeleteClusterById, AuthorizeCluster,
 *   EnrollCluster, ExpandCluster, ShrinkCluster, CreateCredentialInfo, CancelJobs) →
 *   common.00000403 "Policy doesn't allow ems:cluster:create to be performed." (action per op).
 * - Auth: X-Auth-Token wins when present (unknown → 401 common.01010018 "Auth token failed, reason
 *   is:{the token is invalid ...}", expired token → "...{the token has expired}"). Otherwise
 *   SDK-HMAC-SHA256: no/other scheme, malformed header, unknown AK, SignedHeaders without host and
 *   x-sdk-date, missing/malformed X-Sdk-Date, bad signature → 401 APIGW.0301 "Incorrect IAM
 *   authentication information: ..." (bad signature: "...: verify aksk signature fail");
 *   X-Sdk-Date more than 15 min from the real wall clock → 401 APIGW.0303 "... the request has
 *   expired ...". X-Security-Token is accepted without checks. Tokens do not expire with time
 *   (the virtual clock is advanced freely in tests). The AK/SK pair has full rights.
 * - X-Project-Id (optional) not naming the caller's project → 500 ems.00040003 "Failed to match
 *   tenant project id"; so does a credentials path project_id other than the caller's.
 * - 500 ems.00030002 "Failed to create cluster." and 500 ems.00030003 "Failed to update cluster
 *   status to DELETING" come from the added faults createFailureRate / deleteFailureRate.
 * - Jobs: long jobs (CreateCluster, EnrollCluster, DeleteCluster, and the seeded UpgradeCluster) have
 *   ids `long-{uuid}`, take 2 s INIT + 118 s of tasks; ExpandCluster/ShrinkCluster jobs have ids
 *   `ems-custom-{uuid}`, are listed under job_type=short and take 1 s INIT + 19 s. Task ids are
 *   `long-{uuid}` / `short-{uuid}`; a task's message describes its step. Job `name` is the kind
 *   (the delete job is named `DeleteCluster`). Progress = share of task time elapsed, 2 decimals.
 *   A failed job's message is its code (`ems.00030002`; `ems.00030003` for deletes), its failing
 *   task FAILED with "<code>: <step> failed", later tasks STOPPED. A cancelled job is STOPPED with
 *   message "Job stopped by user", its running and pending tasks STOPPED. ListJobs and
 *   ListClusters return oldest first (creation order).
 * - Cluster states on a job's end: create/enroll COMPLETED → RUNNING (nodes provisioned), FAILED or
 *   STOPPED → DELETED ("Creation failed/cancelled, resources rolled back"); delete COMPLETED →
 *   DELETED, FAILED/STOPPED → back to RUNNING or FREEZE as before (after an interrupted creation:
 *   FREEZE); expand/shrink COMPLETED → RUNNING with nodes and node_count changed, FAILED/STOPPED →
 *   RUNNING unchanged; upgrade → RUNNING on the new (or, on failure, old) version. A delete stops
 *   the cluster's running job (message "Stopped: cluster deleted"; its end is ignored).
 *   available_node_count is 0 while CREATING and once DELETED, else the member count.
 *   cluster_specification.k8s_cluster_specification.node_count changes when an expand/shrink completes.
 * - Node names: EMS-provisioned nodes are named `{cluster name cut to 40}-n001`, `-n002`, ...;
 *   expand adds the given names, which must be members of no non-DELETED cluster on the same CCE
 *   cluster (else 400 EMS.00004000); shrink names must be members (else 400 EMS.00004000); the
 *   resulting count must stay within 3..512 (else 400 common.00000400 on
 *   [k8s_cluster_specification].[node_count]).
 * - Enroll: version absent or "v1" (the documented default) means the preferred release; otherwise
 *   it must look like 25.12.0, be >= 25.12.0 (else 400 common.00000400
 *   `[k8s_cluster_specification].[version]: must be greater than or equal to [25.12.0]`) and be
 *   a listed release. The node count is taken from the existing deployment (3..8, stable per CCE
 *   cluster and namespace). A cluster_id of a DELETED cluster revives that cluster; an unknown one
 *   is used as the new cluster's id.
 * - Credentials: createAt is virtual-clock epoch ms; cdKey 32 alphanumerics.
 * - Faults: latency applies before everything (errors included); one PRNG draw picks reset / 503
 *   APIGW.0201 / 429 APIGW.0308 (+ Retry-After); malformed bodies (2xx with a body only) are either
 *   truncated JSON or the body wrapped as {"result": ..., "error": null}. The transport faults run
 *   before authentication, so they also hit unauthenticated requests.
 *
 * Not reproduced: IAM itself (tokens are fixed strings; no token issuance, scoping, domain-level
 * X-Domain-Id or enterprise projects); real CCE node inventories (any node name can be added); rate
 * limits other than the injected 429s; resource stacks, VPC endpoints, LTS resources (accepted and
 * echoed only by Enroll's validation, not stored); FREEZE/UPGRADING transitions other than the
 * seeded ones; quotas (feature gates are data only); HTTPS; request bodies other than JSON; the
 * exact wording of APIGW messages.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from './clock.js';
import { FaultInjector } from './faults.js';
import { Prng } from './prng.js';
import { seedBatchClusters, seedWorld } from './seed.js';
import { createRequestListener } from './server.js';
import { StatsRecorder } from './stats.js';
import { SIMULATOR_WIRES, type EmsSimulator, type SimulatorOptions } from './types.js';
import { WireWriter } from './wire.js';

export type {
  EmsSimulator,
  SimulatorClock,
  SimulatorCredentials,
  SimulatorFaults,
  SimulatorOptions,
  SimulatorStats,
  SimulatorStatsLogEntry,
  SimulatorWire,
} from './types.js';
export { DEFAULT_FAULTS } from './faults.js';

/**
 * Creates a simulator (not listening until `start()`).
 * @throws RangeError on an invalid option.
 */
export function createSimulator(opts: SimulatorOptions = {}): EmsSimulator {
  const port = opts.port ?? 0;
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 1;
  const clusterCount = opts.clusterCount ?? 20;
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be an integer in 0..65535, got ${port}`);
  if (!Number.isInteger(seed)) problems.push(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(clusterCount) || clusterCount < 0) problems.push(`clusterCount must be an integer >= 0, got ${clusterCount}`);
  const speed = opts.clockSpeed ?? 1;
  if (!Number.isFinite(speed) || speed < 0) problems.push(`clockSpeed must be a finite number >= 0, got ${speed}`);
  const wire = opts.wire ?? 'reference';
  if (!SIMULATOR_WIRES.includes(wire)) problems.push(`wire must be one of ${SIMULATOR_WIRES.join(', ')}, got ${String(wire)}`);
  if (problems.length > 0) throw new RangeError(`Invalid simulator options: ${problems.join('; ')}`);

  const clock = new VirtualClock(speed);
  const faults = new FaultInjector(seed, opts.faults);
  const { store, credentials } = seedWorld(seed, clusterCount, clock.nowMs());
  const ids = new Prng(seed, 'ids');
  const stats = new StatsRecorder();
  const server: Server = createServer(createRequestListener({ store, clock, faults, ids, stats, wire: new WireWriter(wire) }));
  server.on('clientError', (_err, socket) => {
    // Unparseable HTTP: answer like APIGW would, still with an X-Request-Id.
    const body = JSON.stringify({ error_code: 'APIGW.0201', error_msg: 'Bad request: malformed HTTP message' });
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nx-request-id: ${randomUUID()}\r\ncontent-type: application/json;charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  });

  let url: string | null = null;
  let starting: Promise<string> | null = null;

  return {
    get url(): string {
      if (url === null) throw new Error('EMS simulator is not listening: call start() first');
      return url;
    },
    start(): Promise<string> {
      starting ??= new Promise<string>((resolve, reject) => {
        const onError = (err: Error) => {
          starting = null;
          reject(err);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          url = `http://${urlHost(host)}:${address.port}`;
          resolve(url);
        });
      });
      return starting;
    },
    async stop(): Promise<void> {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      url = null;
      starting = null;
    },
    credentials: Object.freeze({ ...credentials }),
    stats,
    setFaults: (f) => faults.set(f),
    resetFaults: () => faults.reset(),
    clock: {
      now: () => clock.now(),
      advance: (ms) => clock.advance(ms),
      setSpeed: (s) => clock.setSpeed(s),
    },
    seedClusters(count, o = {}) {
      seedBatchClusters(store.project(credentials.projectId), count, o.jobsPerCluster ?? 1, clock.nowMs(), ids);
    },
  };
}

/** Host part of the URL: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
