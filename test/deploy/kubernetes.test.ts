import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { KustomizeError, readKustomization, render, type Resource } from './kustomize.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BASE = join(root, 'deploy/base');
const PRODUCTION = join(root, 'deploy/overlays/production');

/** The Kubernetes model (validated against the Kubernetes OpenAPI schema) of every kind deploy/ uses. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const one = (resources: Resource[], kind: string) => {
  const found = resources.filter((r) => r.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** What the pod reads: its ConfigMap, with each Secret reference replaced by a sample of its value. */
function podEnvironment(resources: Resource[], samples: Record<string, string>): Record<string, string> {
  const container = one(resources, 'Deployment').spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === source.configMapRef?.name);
    expect(map, `envFrom ${JSON.stringify(source)}`).toBeDefined();
    Object.assign(env, map!.data);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref && !(ref.optional && !(variable.name in samples))) env[variable.name] = samples[variable.name]!;
  }
  return env;
}

for (const [name, dir] of [
  ['deploy/base', BASE],
  ['deploy/overlays/production', PRODUCTION],
] as const) {
  describe(`${name} (kustomize)`, () => {
    it('lists resources and patches that exist, and renders', () => {
      const kustomization = readKustomization(dir);
      expect(kustomization.resources?.length).toBeGreaterThan(0);
      expect(() => render(dir)).not.toThrow();
    });

    it('renders manifests that each validate against the Kubernetes API schema', () => {
      const resources = render(dir);
      for (const resource of resources) {
        const Model = MODELS[`${resource.apiVersion}/${resource.kind}`];
        expect(Model, `no model for ${resource.apiVersion} ${resource.kind}`).toBeDefined();
        expect(() => new Model!(resource).validate(), `${resource.kind}/${resource.metadata.name}`).not.toThrow();
      }
      const ids = resources.map((r) => `${r.kind}/${r.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
      expect(resources.map((r) => r.kind).sort()).toEqual(
        ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount'].sort(),
      );
    });

    it('says how many proxies append X-Forwarded-For (TRUST_PROXY_HOPS), so callers behind them do not share one address', () => {
      const config = one(render(dir), 'ConfigMap').data as Record<string, string>;
      expect(config.TRUST_PROXY_HOPS).toBe(dir === PRODUCTION ? '1' : '0');
    });

    it('commits no Secret and no secret value, only references to Secrets', () => {
      const resources = render(dir);
      expect(resources.filter((r) => r.kind === 'Secret')).toEqual([]);
      const container = one(resources, 'Deployment').spec.template.spec.containers[0];
      const fromSecret = Object.fromEntries(
        (container.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]),
      );
      for (const variable of ['EMS_AK', 'EMS_SK', 'REDIS_URL']) {
        expect(fromSecret[variable], variable).toMatchObject({ name: expect.any(String), key: expect.any(String) });
        expect(fromSecret[variable].optional ?? false, variable).toBe(false);
      }
      const config = one(resources, 'ConfigMap').data as Record<string, string>;
      expect(Object.keys(config).filter((key) => /(^EMS_AK|^EMS_SK|TOKEN|PASSWORD|SECRET|^REDIS_URL)$/.test(key))).toEqual([]);
      expect((container.env ?? []).filter((e: any) => e.value !== undefined && /(AK|SK|TOKEN|REDIS_URL)$/.test(e.name))).toEqual([]);
    });
  });
}

describe('deploy/overlays/production, as applied', () => {
  const resources = render(PRODUCTION);
  const deployment = one(resources, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
  const config = one(resources, 'ConfigMap').data as Record<string, string>;
  const httpPort = container.ports.find((p: any) => p.name === 'http');
  /** A container port given by number or by name. */
  const portNumber = (port: number | string) => (typeof port === 'number' ? port : container.ports.find((p: any) => p.name === port)?.containerPort);

  it('puts everything in its namespace and runs the pinned image from the registry', () => {
    expect(new Set(resources.map((r) => r.metadata.namespace))).toEqual(new Set(['ems-gateway']));
    expect(container.image).toMatch(/^[\w.-]+(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
    expect(container.image).not.toMatch(/:latest$/);
    // The overlay's patches took effect.
    expect(container.resources.limits.memory).toBe('1Gi');
    expect(one(resources, 'HorizontalPodAutoscaler').spec.maxReplicas).toBe(20);
  });

  it('runs 3 replicas, scaled by the HPA from 3, at most one taken down at a time', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);

    const hpa = one(resources, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);

    const pdb = one(resources, 'PodDisruptionBudget');
    expect(selects(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it('listens on the port the ConfigMap gives the gateway and the image exposes, and the Service routes to it', () => {
    const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    const exposed = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'EXPOSE').at(-1)?.getArgumentsContent();
    expect(httpPort.containerPort).toBe(Number(config.PORT));
    expect(String(httpPort.containerPort)).toBe(exposed);

    const service = one(resources, 'Service');
    expect(selects(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports.map((p: any) => portNumber(p.targetPort))).toEqual([httpPort.containerPort]);
  });

  it('probes readiness on /readyz and liveness on /healthz, on the gateway port', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(portNumber(container.readinessProbe.httpGet.port)).toBe(httpPort.containerPort);
    expect(portNumber(container.livenessProbe.httpGet.port)).toBe(httpPort.containerPort);
    if (container.startupProbe) {
      expect(container.startupProbe.httpGet.path).toBe('/healthz');
      expect(portNumber(container.startupProbe.httpGet.port)).toBe(httpPort.containerPort);
    }
  });

  it('gives the preStop pause and SHUTDOWN_GRACE_MS their time within the termination grace period', () => {
    const preStop = container.lifecycle.preStop;
    const pauseSeconds = preStop.sleep ? Number(preStop.sleep.seconds) : Number(/^sleep$/.test(preStop.exec.command[0]) && preStop.exec.command[1]);
    expect(pauseSeconds).toBeGreaterThan(0);
    const drainMs = Number(config.SHUTDOWN_GRACE_MS);
    expect(drainMs).toBeGreaterThan(0);
    // Kubernetes counts the grace period from the start of preStop; the rest is the gateway's to exit in.
    const marginMs = pod.terminationGracePeriodSeconds * 1000 - pauseSeconds * 1000 - drainMs;
    expect(marginMs).toBeGreaterThanOrEqual(2_000);
    expect(marginMs).toBeLessThanOrEqual(10_000);
  });

  it('runs as the image user, non-root, read-only, unprivileged, with every capability dropped and the default seccomp profile', () => {
    const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    const imageUser = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'USER').at(-1)!.getArgumentsContent()!;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(Number(imageUser.split(':')[0]));
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext.seccompProfile ?? container.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext.privileged ?? false).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork ?? false).toBe(false);
  });

  it('mounts a writable emptyDir at DATA_DIR, since the root filesystem is read-only', () => {
    const mount = container.volumeMounts.find((m: any) => m.mountPath === config.DATA_DIR);
    expect(mount, `a volume mounted at DATA_DIR=${config.DATA_DIR}`).toBeDefined();
    expect(mount.readOnly ?? false).toBe(false);
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.emptyDir).toBeDefined();
  });

  it('requests and limits CPU and memory', () => {
    expect(container.resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
    expect(container.resources.limits).toMatchObject({ memory: expect.anything() });
  });

  it('gives the gateway an environment its configuration accepts: real EMS with AK/SK, Redis, nothing simulated', () => {
    const env = podEnvironment(resources, {
      EMS_AK: 'HPUAEXAMPLEACCESSKEY',
      EMS_SK: 'example-secret-key',
      EMS_PROJECT_ID: '0123456789abcdef0123456789abcdef',
      REDIS_URL: 'rediss://:password@redis.example.internal:6379/0',
    });
    const gateway = loadConfig(env);
    expect(gateway.port).toBe(httpPort.containerPort);
    expect(gateway.host).toBe('0.0.0.0');
    expect(gateway.ems.endpoint).toMatch(/^https:\/\//);
    expect(gateway.ems.aksk).not.toBeNull();
    expect(gateway.redis).not.toBeNull();
  });

  it('lets in traffic to the gateway port only, and out only DNS, EMS over HTTPS and Redis', () => {
    const policy = one(resources, 'NetworkPolicy');
    expect(selects(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
    const ingressPorts = policy.spec.ingress.flatMap((rule: any) => rule.ports.map((p: any) => `${portNumber(p.port)}/${p.protocol}`));
    expect(ingressPorts).toEqual([`${httpPort.containerPort}/TCP`]);
    const egressPorts = policy.spec.egress.flatMap((rule: any) => (rule.ports ?? [{ port: 'any' }]).map((p: any) => `${p.port}/${p.protocol}`)).sort();
    const redisPort = new URL('rediss://:password@redis.example.internal:6379/0').port;
    expect(egressPorts).toEqual(['443/TCP', `${redisPort}/TCP`, '53/TCP', '53/UDP'].sort());
  });
});

describe('the test renderer', () => {
  const scratch = () => mkdtempSync(join(tmpdir(), 'ems-gateway-kustomize-'));

  it('refuses kustomization fields it does not implement, rather than ignoring them', () => {
    const dir = scratch();
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\ncommonLabels: { a: b }\n');
      expect(() => render(dir)).toThrow(KustomizeError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a patch that matches no resource or whose path does not exist', () => {
    const dir = scratch();
    try {
      writeFileSync(join(dir, 'patch.yaml'), '- op: replace\n  path: /spec/nope/deeper\n  value: 1\n');
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${BASE}]\npatches:\n  - path: patch.yaml\n    target: { kind: Deployment, name: ems-gateway }\n`,
      );
      expect(() => render(dir)).toThrow(/patches\[0\] on Deployment\/ems-gateway/);
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${BASE}]\npatches:\n  - path: patch.yaml\n    target: { kind: Deployment, name: other }\n`,
      );
      expect(() => render(dir)).toThrow(/matches no resource/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
