import { useMutation } from '@urql/preact';
import { useRef, useState } from 'preact/hooks';
import { NO_ERRORS, outcome, submissionSettled, useSubmissionKey, type FormErrors } from '../errors';
import { AuthorizeClusterMutation, DeleteClusterMutation, ExpandClusterMutation, ShrinkClusterMutation } from '../operations';
import { useSession } from '../state';
import { ConfirmDialog, Field, FormErrorList, focusFirstInvalid } from './ui';

interface Target {
  id: string;
  name: string;
}

/** Node names as typed: one per line, or separated by commas or spaces. */
const nodeNamesOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** Expand or shrink: a list of node names; shrinking asks for confirmation first. */
export function NodeNamesForm({ cluster, verb }: { cluster: Target; verb: 'expand' | 'shrink' }) {
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [expandState, expand] = useMutation(ExpandClusterMutation);
  const [shrinkState, shrink] = useMutation(ShrinkClusterMutation);
  const submission = useSubmissionKey();
  const fetching = expandState.fetching || shrinkState.fetching;
  const title = verb === 'expand' ? 'Expand' : 'Shrink';

  const send = async () => {
    setConfirming(false);
    const fields = { clusterId: cluster.id, nodeNames: nodeNamesOf(text) };
    const input = { ...fields, idempotencyKey: submission.keyFor({ verb, ...fields }) };
    const done =
      verb === 'expand'
        ? await expand({ input }).then((r) => {
            const o = outcome(r.error, r.data?.expandCluster, 'ExpandClusterPayload');
            if (submissionSettled(o, r.error)) submission.settled();
            return o;
          })
        : await shrink({ input }).then((r) => {
            const o = outcome(r.error, r.data?.shrinkCluster, 'ShrinkClusterPayload');
            if (submissionSettled(o, r.error)) submission.settled();
            return o;
          });
    if ('errors' in done) {
      setErrors(done.errors);
      setNotice(null);
      focusFirstInvalid(form.current);
      return;
    }
    setErrors(NO_ERRORS);
    setText('');
    setNotice(`${title} submitted.`);
    if (done.payload.job) session.addSubmitted(done.payload.job);
  };

  return (
    <form
      ref={form}
      class="panel"
      aria-labelledby={`${verb}-title`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (verb === 'shrink') setConfirming(true);
        else void send();
      }}
    >
      <h3 id={`${verb}-title`}>{title}</h3>
      <Field
        name="nodeNames"
        label={verb === 'expand' ? 'Nodes to add' : 'Nodes to remove'}
        multiline
        value={text}
        onValue={setText}
        errors={errors}
        hint="Names of CCE nodes, one per line (or separated by commas)."
      />
      <FormErrorList errors={errors} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class={verb === 'shrink' ? 'danger' : 'primary'} disabled={fetching}>
          {title} cluster
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog title={`Remove ${nodeNamesOf(text).length} node(s) from ${cluster.name}?`} confirmLabel="Shrink cluster"
          onConfirm={send} onCancel={() => setConfirming(false)}>
          <p>EMS takes these nodes out of the memory pool: {nodeNamesOf(text).join(', ') || '(none)'}.</p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}

export function AuthorizeButton({ cluster }: { cluster: Target }) {
  const [{ fetching }, authorize] = useMutation(AuthorizeClusterMutation);
  const submission = useSubmissionKey();
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async () => {
    const result = await authorize({ input: { clusterId: cluster.id, idempotencyKey: submission.keyFor(cluster.id) } });
    const done = outcome(result.error, result.data?.authorizeCluster, 'AuthorizeClusterPayload');
    if (submissionSettled(done, result.error)) submission.settled();
    if ('errors' in done) {
      setErrors(done.errors);
      setNotice(null);
    } else {
      setErrors(NO_ERRORS);
      setNotice('EMS granted the cluster the permissions it needs.');
    }
  };
  return (
    <div class="panel">
      <h3>Authorize</h3>
      <p>Grants the cluster the cloud permissions EMS needs to run it.</p>
      <FormErrorList errors={errors} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <div class="actions">
        <button type="button" onClick={run} disabled={fetching}>
          Authorize cluster
        </button>
      </div>
    </div>
  );
}

export function DeleteButton({ cluster }: { cluster: Target }) {
  const session = useSession();
  const [{ fetching }, deleteCluster] = useMutation(DeleteClusterMutation);
  const submission = useSubmissionKey();
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const run = async () => {
    setConfirming(false);
    const result = await deleteCluster({ input: { clusterId: cluster.id, idempotencyKey: submission.keyFor(cluster.id) } });
    const done = outcome(result.error, result.data?.deleteCluster, 'DeleteClusterPayload');
    if (submissionSettled(done, result.error)) submission.settled();
    if ('errors' in done) {
      setErrors(done.errors);
      return;
    }
    setErrors(NO_ERRORS);
    if (done.payload.job) session.addSubmitted(done.payload.job);
  };
  return (
    <div class="panel">
      <h3>Delete</h3>
      <p>Removes EMS from the CCE cluster. This cannot be undone.</p>
      <FormErrorList errors={errors} />
      <div class="actions">
        <button type="button" class="danger" onClick={() => setConfirming(true)} disabled={fetching}>
          Delete cluster…
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog title={`Delete ${cluster.name}?`} confirmLabel="Delete cluster" onConfirm={run} onCancel={() => setConfirming(false)}>
          <p>
            EMS deletes the cluster <strong>{cluster.name}</strong> and releases its memory pool. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
