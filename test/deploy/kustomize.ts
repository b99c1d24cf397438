import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPatch, type Operation } from 'rfc6902';
import { parse, parseAllDocuments } from 'yaml';

/**
 * A test-time renderer for the subset of kustomize that deploy/ uses, so the tests can check what
 * `kubectl apply -k` would send without a kustomize binary. It supports `resources` (files and
 * directories with their own kustomization), `namespace`, `images` and `patches` given as JSON 6902
 * operations with a `target`; anything else in a kustomization is refused rather than ignored, so
 * a manifest change this renderer cannot follow fails the tests instead of passing unchecked.
 */

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: any;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path?: string; patch?: string; target?: { group?: string; version?: string; kind?: string; name?: string; namespace?: string } }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** Reads `<dir>/kustomization.yaml`, refusing fields this renderer does not implement. */
export function readKustomization(dir: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeError(`${dir}: no kustomization.yaml`);
  const kustomization = parse(readFileSync(file, 'utf8')) as Kustomization;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new KustomizeError(`${file}: ${unsupported.join(', ')} not supported by the test renderer`);
  if (kustomization.kind !== 'Kustomization') throw new KustomizeError(`${file}: kind must be Kustomization`);
  return kustomization;
}

function readResources(path: string): Resource[] {
  if (!existsSync(path)) throw new KustomizeError(`resource ${path} does not exist`);
  if (statSync(path).isDirectory()) return render(path);
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((document) => {
    if (document.errors.length > 0) throw new KustomizeError(`${path}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Resource | null;
    return value === null ? [] : [value];
  });
}

const apiGroupVersion = (resource: Resource) => {
  const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : ['', resource.apiVersion];
  return { group: group!, version: version! };
};

function matches(resource: Resource, target: NonNullable<NonNullable<Kustomization['patches']>[number]['target']>): boolean {
  const { group, version } = apiGroupVersion(resource);
  return (
    (target.kind === undefined || target.kind === resource.kind) &&
    (target.name === undefined || target.name === resource.metadata.name) &&
    (target.namespace === undefined || target.namespace === resource.metadata.namespace) &&
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version)
  );
}

/** The containers of a Pod or of a workload's pod template. */
function podSpecOf(resource: Resource): { containers?: { image?: string }[]; initContainers?: { image?: string }[] } | undefined {
  if (resource.kind === 'Pod') return resource.spec;
  if (resource.kind === 'CronJob') return resource.spec?.jobTemplate?.spec?.template?.spec;
  return resource.spec?.template?.spec;
}

/** `name[:tag][@digest]` split as kustomize's image transformer reads it. */
function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withTag, digest] = image.split('@') as [string, string | undefined];
  const colon = withTag.lastIndexOf(':');
  const hasTag = colon > withTag.lastIndexOf('/');
  return { name: hasTag ? withTag.slice(0, colon) : withTag, tag: hasTag ? withTag.slice(colon + 1) : undefined, digest };
}

/** Renders the kustomization in `dir` as `kubectl kustomize` would, for the supported fields. */
export function render(dir: string): Resource[] {
  const kustomization = readKustomization(dir);
  const resources = (kustomization.resources ?? []).flatMap((entry) => readResources(resolve(dir, entry)));

  for (const [index, patch] of (kustomization.patches ?? []).entries()) {
    const where = `${dir} patches[${index}]`;
    if (!patch.target) throw new KustomizeError(`${where}: a patch without a target is not supported by the test renderer`);
    const source = patch.path ? readFileSync(resolve(dir, patch.path), 'utf8') : patch.patch;
    if (source === undefined) throw new KustomizeError(`${where}: needs path or patch`);
    const operations = parse(source) as Operation[];
    if (!Array.isArray(operations)) throw new KustomizeError(`${where}: only JSON 6902 patches are supported by the test renderer`);
    const targets = resources.filter((resource) => matches(resource, patch.target!));
    if (targets.length === 0) throw new KustomizeError(`${where}: the target ${JSON.stringify(patch.target)} matches no resource`);
    for (const target of targets) {
      const failed = applyPatch(target, operations).find((result) => result !== null);
      if (failed) throw new KustomizeError(`${where} on ${target.kind}/${target.metadata.name}: ${failed.message}`);
    }
  }

  for (const image of kustomization.images ?? []) {
    for (const resource of resources) {
      const pod = podSpecOf(resource);
      for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
        if (!container.image) continue;
        const current = splitImage(container.image);
        if (current.name !== image.name) continue;
        const name = image.newName ?? current.name;
        container.image = image.digest ? `${name}@${image.digest}` : image.newTag ? `${name}:${image.newTag}` : container.image.replace(current.name, name);
      }
    }
  }

  if (kustomization.namespace) {
    for (const resource of resources) {
      if (!CLUSTER_SCOPED.has(resource.kind)) resource.metadata.namespace = kustomization.namespace;
    }
  }
  return resources;
}
