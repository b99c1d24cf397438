import { useMutation, useSubscription } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { NO_ERRORS, outcome, submissionSettled, useSubmissionKey, type FormErrors } from '../errors';
import { TERMINAL_JOB_STATUSES, formatTime } from '../format';
import type { JobFieldsFragment } from '../gql/graphql';
import { CancelJobsMutation, JobProgressSubscription } from '../operations';
import { ConfirmDialog, FormErrorList, ProgressBar, StatusBadge } from './ui';

const isLive = (job: JobFieldsFragment) => !TERMINAL_JOB_STATUSES.has(job.status);

/** The later of two reports of one job: an ended one, else the one further along. */
function later(a: JobFieldsFragment, b: JobFieldsFragment): JobFieldsFragment {
  if (isLive(a) !== isLive(b)) return isLive(a) ? b : a;
  return b.progress > a.progress ? b : a;
}

/**
 * The job as `jobProgress` reports it while it runs, or as the cluster's jobs list it, whichever is
 * later (a re-read of the cluster can overtake the subscription, which then stops). `onEnded` is
 * called once when a followed job reaches a terminal status.
 */
function useLiveJob(job: JobFieldsFragment, onEnded: () => void): JobFieldsFragment {
  const [{ data }] = useSubscription({ query: JobProgressSubscription, variables: { id: job.id }, pause: !isLive(job) });
  const live = data?.jobProgress ? later(data.jobProgress, job) : job;
  const ended = !isLive(live);
  useEffect(() => {
    if (ended && isLive(job)) onEnded();
  }, [ended]);
  return live;
}

function JobRow({
  job,
  selected,
  onSelect,
  onEnded,
}: {
  job: JobFieldsFragment;
  selected: boolean;
  onSelect(selected: boolean): void;
  onEnded(): void;
}) {
  const live = useLiveJob(job, onEnded);
  const label = `${live.name} ${live.id}`;
  // A task EMS sent unreadably is null (with an error): the others still show.
  const tasks = live.tasks.flatMap((task) => (task ? [task] : []));
  return (
    <li class="job" data-job-id={live.id} data-status={live.status}>
      <div class="job-head">
        {isLive(live) ? (
          <input type="checkbox" aria-label={`Select job ${label}`} checked={selected} onChange={(e) => onSelect(e.currentTarget.checked)} />
        ) : (
          <span class="checkbox-space" aria-hidden="true" />
        )}
        <span class="job-name">{live.name}</span>
        <StatusBadge status={live.status} text={live.statusText} label={`Status of job ${live.id}`} />
        <span class="job-type">{live.type}</span>
        <code class="job-id">{live.id}</code>
      </div>
      <ProgressBar value={live.progress} label={`Progress of job ${label}`} />
      <p class="job-meta">
        Created {formatTime(live.createdAt)}
        {live.endAt ? ` · ended ${formatTime(live.endAt)}` : live.beginAt ? ` · began ${formatTime(live.beginAt)}` : ''}
        {live.message ? ` · ${live.message}` : ''}
      </p>
      {tasks.length ? (
        <details>
          <summary>Tasks ({tasks.length})</summary>
          <ol class="tasks">
            {tasks.map((task) => (
              <li key={task.id}>
                <StatusBadge status={task.status} text={task.statusText} label={`Status of task ${task.id}`} /> {task.message ?? task.id}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </li>
  );
}

/** The cluster's jobs, newest first, each running one live; running jobs can be selected and cancelled. */
export function JobList({ jobs, onJobEnded }: { jobs: JobFieldsFragment[]; onJobEnded(): void }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ fetching }, cancelJobs] = useMutation(CancelJobsMutation);
  const submission = useSubmissionKey();

  const select = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const cancel = async () => {
    setConfirming(false);
    const jobIds = [...selected];
    const result = await cancelJobs({ input: { jobIds, idempotencyKey: submission.keyFor(jobIds) } });
    const done = outcome(result.error, result.data?.cancelJobs, 'CancelJobsPayload');
    if (submissionSettled(done, result.error)) submission.settled();
    if ('errors' in done) {
      setErrors(done.errors);
      setNotice(null);
      return;
    }
    setErrors(NO_ERRORS);
    setSelected(new Set());
    const { cancelled, failed } = done.payload;
    setNotice(`Cancelled ${cancelled.length} job${cancelled.length === 1 ? '' : 's'}${failed.length ? `; EMS could not cancel ${failed.join(', ')}` : ''}.`);
  };

  const sorted = [...jobs].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  return (
    <section aria-labelledby="jobs-title">
      <div class="heading-row">
        <h2 id="jobs-title">Jobs</h2>
        <div class="actions">
          <button type="button" class="danger" disabled={!selected.size || fetching} onClick={() => setConfirming(true)}>
            Cancel selected jobs{selected.size ? ` (${selected.size})` : ''}
          </button>
        </div>
      </div>
      <FormErrorList errors={errors} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {sorted.length ? (
        <ul class="jobs">
          {sorted.map((job) => (
            <JobRow key={job.id} job={job} selected={selected.has(job.id)} onSelect={(on) => select(job.id, on)} onEnded={onJobEnded} />
          ))}
        </ul>
      ) : (
        <p>No jobs.</p>
      )}
      {confirming ? (
        <ConfirmDialog title={`Cancel ${selected.size} job${selected.size === 1 ? '' : 's'}?`} confirmLabel="Cancel jobs" onConfirm={cancel}
          onCancel={() => setConfirming(false)}>
          <p>EMS stops them where they are; a cancelled creation rolls its cluster back.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
