import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { FormErrors } from '../errors';
import { statusTone } from '../format';

/** The current time, re-read every `intervalMs`, for "time since" labels. */
export function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** A status; one this dashboard does not know (UNKNOWN) shows the text EMS sent. */
export function StatusBadge({ status, text, label }: { status: string; text?: string | null; label?: string }) {
  const shown = status === 'UNKNOWN' && text ? text : status;
  return (
    <span class={`badge badge-${statusTone(status)}`} title={label ? `${label}: ${shown}` : shown}>
      {shown}
    </span>
  );
}

/** A labelled progress bar whose width animates to each new value. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, value));
  const shown = `${pct.toFixed(pct === 100 || pct === 0 ? 0 : 1)}%`;
  return (
    <div class="progress-row">
      <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={shown}>
        <div class="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <span class="progress-text" aria-hidden="true">
        {shown}
      </span>
    </div>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'name' | 'onInput' | 'value' | 'children'>;

export interface FieldProps extends InputProps {
  /** The input's key in FormErrors.fields, e.g. `k8s.nodeCount`. */
  name: string;
  label: string;
  value: string;
  onValue(value: string): void;
  hint?: string;
  errors?: FormErrors;
  multiline?: boolean;
  children?: ComponentChildren;
}

/** A labelled input (or textarea, or select with `children` options) that shows its errors below it. */
export function Field({ name, label, value, onValue, hint, errors, multiline, children, required, ...rest }: FieldProps) {
  const id = useId();
  const messages = errors?.fields[name] ?? [];
  const described = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name,
    value,
    required,
    'aria-invalid': messages.length > 0 ? ('true' as const) : undefined,
    'aria-describedby': described,
    onInput: (event: Event) => onValue((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${messages.length ? ' field-invalid' : ''}`}>
      <label for={id}>
        {label}
        {required ? <span class="required"> (required)</span> : null}
      </label>
      {children ? (
        <select {...common} onChange={common.onInput}>
          {children}
        </select>
      ) : multiline ? (
        <textarea {...common} rows={4} />
      ) : (
        <input {...common} {...rest} />
      )}
      {hint ? (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      ) : null}
      {messages.length ? (
        <ul id={`${id}-error`} class="field-errors">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The errors that belong to no input, announced when they appear. */
export function FormErrorList({ errors }: { errors: FormErrors }) {
  if (!errors.form.length) return null;
  return (
    <div class="form-errors" role="alert">
      {errors.form.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

/** Why a read failed: every error the gateway sent (each with its code), not only the first. */
export function RequestErrorList({ what, messages }: { what: string; messages: string[] }) {
  return (
    <div class="form-errors" role="alert">
      <p>{what} could not be read:</p>
      <ul>
        {messages.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}

/** Moves focus to the first invalid input of `form` (after a refused submit). */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => (form?.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus());
}

export interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
}

/** A modal confirmation for destructive actions: Escape or "Go back" cancels, and focus starts there. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2 id={titleId}>{title}</h2>
      <div class="confirm-body">{children}</div>
      <div class="actions">
        <button type="button" autofocus onClick={onCancel}>
          Go back
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
