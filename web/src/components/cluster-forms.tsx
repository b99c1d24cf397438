import { useMutation, useQuery } from '@urql/preact';
import { useRef, useState } from 'preact/hooks';
import { LocalErrors, NO_ERRORS, optional, outcome, submissionSettled, useSubmissionKey, type FormErrors } from '../errors';
import { CreateClusterMutation, EnrollClusterMutation, ReleasesQuery } from '../operations';
import { FLEET_HREF, clusterHref } from '../router';
import { useSession } from '../state';
import { Field, FormErrorList, focusFirstInvalid } from './ui';

type Values<K extends string> = Record<K, string>;

function useValues<K extends string>(initial: Values<K>) {
  const [values, setValues] = useState(initial);
  const set = (key: K) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  return [values, set] as const;
}

/** The release versions EMS offers, for a version picker; the first option keeps EMS's default. */
function ReleaseOptions({ defaultLabel }: { defaultLabel: string }) {
  const [{ data }] = useQuery({ query: ReleasesQuery });
  return (
    <>
      <option value="">{defaultLabel}</option>
      {data?.releases.edges.map(({ node }) =>
        node ? (
          <option key={node.id} value={node.version}>
            {node.version}
            {node.preferred ? ' (preferred)' : ''}
          </option>
        ) : null,
      )}
    </>
  );
}

/** The region picker of a new or enrolled cluster, shown when the gateway spans several regions (it then needs one). */
function RegionField({ regions, value, onValue, errors }: { regions: readonly string[]; value: string; onValue(v: string): void; errors: FormErrors }) {
  if (regions.length < 2) return null;
  return (
    <Field name="region" label="Region" required value={value} onValue={onValue} errors={errors} hint="The region the cluster is in.">
      <option value="">Choose a region</option>
      {regions.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </Field>
  );
}

export function CreateClusterForm({ onClose, regions = [] }: { onClose(): void; regions?: readonly string[] }) {
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const [{ fetching }, createCluster] = useMutation(CreateClusterMutation);
  const submission = useSubmissionKey();
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [values, set] = useValues({
    name: '',
    description: '',
    k8sClusterId: '',
    namespace: '',
    nodeCount: '3',
    flavor: '',
    version: '',
    hugePageCount: '',
    hugePageSizeMb: '',
    region: '',
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    const local = new LocalErrors();
    const nodeCount = local.int('k8s.nodeCount', values.nodeCount);
    const hugePageCount = local.int('memory.hugePageCount', values.hugePageCount);
    const hugePageSizeMb = local.int('memory.hugePageSizeMb', values.hugePageSizeMb);
    if (local.any) {
      setErrors(local.errors);
      focusFirstInvalid(form.current);
      return;
    }
    const input = {
      name: values.name.trim(),
      description: optional(values.description),
      k8s: {
        k8sClusterId: values.k8sClusterId.trim(),
        namespace: optional(values.namespace),
        nodeCount,
        flavor: optional(values.flavor),
        version: optional(values.version),
      },
      memory: hugePageCount !== undefined || hugePageSizeMb !== undefined ? { hugePageCount, hugePageSizeMb } : undefined,
      region: optional(values.region),
    };
    const result = await createCluster({ input: { ...input, idempotencyKey: submission.keyFor(input) } });
    const done = outcome(result.error, result.data?.createCluster, 'CreateClusterPayload');
    if (submissionSettled(done, result.error)) submission.settled();
    if ('errors' in done) {
      setErrors(done.errors);
      focusFirstInvalid(form.current);
      return;
    }
    if (done.payload.job) session.addSubmitted(done.payload.job);
    // EMS accepted it; without a readable cluster id, the fleet shows it on its next read.
    location.hash = done.payload.clusterId ? clusterHref(done.payload.clusterId) : FLEET_HREF;
  };

  return (
    <form ref={form} class="panel" aria-labelledby="create-title" noValidate onSubmit={submit}>
      <h2 id="create-title">New cluster</h2>
      <div class="grid">
        <RegionField regions={regions} value={values.region} onValue={set('region')} errors={errors} />
        <Field name="name" label="Name" required value={values.name} onValue={set('name')} errors={errors}
          hint="4–128 lowercase letters, digits and hyphens; starts with a letter; unique in the project." />
        <Field name="description" label="Description" value={values.description} onValue={set('description')} errors={errors} />
        <Field name="k8s.k8sClusterId" label="CCE cluster ID" required value={values.k8sClusterId} onValue={set('k8sClusterId')} errors={errors}
          hint="UUID of the CCE cluster to deploy EMS on." spellcheck={false} />
        <Field name="k8s.namespace" label="Namespace" value={values.namespace} onValue={set('namespace')} errors={errors} />
        <Field name="k8s.nodeCount" label="Node count" inputMode="numeric" value={values.nodeCount} onValue={set('nodeCount')} errors={errors}
          hint="3–512 nodes." />
        <Field name="k8s.flavor" label="Node flavor" value={values.flavor} onValue={set('flavor')} errors={errors} />
        <Field name="k8s.version" label="EMS release" value={values.version} onValue={set('version')} errors={errors}>
          <ReleaseOptions defaultLabel="EMS default (preferred release)" />
        </Field>
        <Field name="memory.hugePageCount" label="Huge pages" inputMode="numeric" value={values.hugePageCount} onValue={set('hugePageCount')}
          errors={errors} hint="131072–2147483647 pages; empty for EMS's default (131072)." />
        <Field name="memory.hugePageSizeMb" label="Huge-page size" value={values.hugePageSizeMb} onValue={set('hugePageSizeMb')} errors={errors}>
          <option value="">EMS default (2 MB)</option>
          <option value="2">2 MB</option>
          <option value="1024">1024 MB</option>
        </Field>
      </div>
      <FormErrorList errors={errors} />
      <div class="actions">
        <button type="submit" class="primary" disabled={fetching}>
          {fetching ? 'Creating…' : 'Create cluster'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

export function EnrollClusterForm({ onClose, regions = [] }: { onClose(): void; regions?: readonly string[] }) {
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const [{ fetching }, enrollCluster] = useMutation(EnrollClusterMutation);
  const submission = useSubmissionKey();
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [values, set] = useValues({ name: '', description: '', clusterId: '', k8sClusterId: '', namespace: '', flavor: '', version: '', region: '' });

  const submit = async (event: Event) => {
    event.preventDefault();
    const input = {
      name: values.name.trim(),
      description: optional(values.description),
      clusterId: optional(values.clusterId),
      k8s: {
        k8sClusterId: values.k8sClusterId.trim(),
        namespace: values.namespace.trim(),
        flavor: optional(values.flavor),
        version: optional(values.version),
      },
      region: optional(values.region),
    };
    const result = await enrollCluster({ input: { ...input, idempotencyKey: submission.keyFor(input) } });
    const done = outcome(result.error, result.data?.enrollCluster, 'EnrollClusterPayload');
    if (submissionSettled(done, result.error)) submission.settled();
    if ('errors' in done) {
      setErrors(done.errors);
      focusFirstInvalid(form.current);
      return;
    }
    if (done.payload.job) session.addSubmitted(done.payload.job);
    // EMS accepted it; without a readable cluster id, the fleet shows it on its next read.
    location.hash = done.payload.clusterId ? clusterHref(done.payload.clusterId) : FLEET_HREF;
  };

  return (
    <form ref={form} class="panel" aria-labelledby="enroll-title" noValidate onSubmit={submit}>
      <h2 id="enroll-title">Enroll an existing EMS deployment</h2>
      <div class="grid">
        <RegionField regions={regions} value={values.region} onValue={set('region')} errors={errors} />
        <Field name="name" label="Name" required value={values.name} onValue={set('name')} errors={errors}
          hint="Same rule as a new cluster's name." />
        <Field name="description" label="Description" value={values.description} onValue={set('description')} errors={errors} />
        <Field name="clusterId" label="Cluster ID (when re-enrolling)" value={values.clusterId} onValue={set('clusterId')} errors={errors}
          spellcheck={false} />
        <Field name="k8s.k8sClusterId" label="CCE cluster ID" required value={values.k8sClusterId} onValue={set('k8sClusterId')} errors={errors}
          spellcheck={false} />
        <Field name="k8s.namespace" label="Namespace of the deployment" required value={values.namespace} onValue={set('namespace')} errors={errors} />
        <Field name="k8s.flavor" label="Node flavor" value={values.flavor} onValue={set('flavor')} errors={errors} />
        <Field name="k8s.version" label="EMS release" value={values.version} onValue={set('version')} errors={errors}>
          <ReleaseOptions defaultLabel="EMS default" />
        </Field>
      </div>
      <FormErrorList errors={errors} />
      <div class="actions">
        <button type="submit" class="primary" disabled={fetching}>
          {fetching ? 'Enrolling…' : 'Enroll cluster'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
