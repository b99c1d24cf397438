import { EmsBadResponseError, quote } from '../errors.js';

/**
 * Reading what EMS sends: `unknown` JSON in, the gateway's own records out. Strict about what a
 * record cannot do without (an element's id), tolerant about everything else, and every tolerated
 * departure from the strict reading is noted as a {@link Deviation} (see docs/tolerant-reading.md).
 *
 * Request-side rules (lengths, patterns, list caps, UUID shapes, label-key syntax) are never
 * applied here: a response is what EMS has stored, and may hold values we would not send.
 */

/**
 * Kinds of tolerated deviation:
 * - `empty_time`: a time sent as `""` (the reference's form for "not yet"), read as null;
 * - `null_object`: an optional object sent as null or left out, read as null;
 * - `null_list`: a list sent as null or left out, read as empty;
 * - `null_value`: a label value sent as null or left out, read as `""`;
 * - `numeric_string`: a number sent as a string (`"3"`), read as the number;
 * - `boolean_string`: a boolean sent as `"true"`/`"false"`, read as the boolean;
 * - `string_from_number`: a string (an id, a name) sent as a number or boolean, read as its text;
 * - `unknown_enum`: a status, type or code the gateway does not list, read as UNKNOWN (or null for
 *   an int code) with the raw text kept;
 * - `bad_field`: a value that cannot be read at all (wrong type, an unreadable time), read as null;
 * - `bad_element`: a list element that cannot be read (no id, not an object), an error on its path.
 */
export const DEVIATION_KINDS = [
  'empty_time',
  'null_object',
  'null_list',
  'null_value',
  'numeric_string',
  'boolean_string',
  'string_from_number',
  'unknown_enum',
  'bad_field',
  'bad_element',
] as const;
export type DeviationKind = (typeof DEVIATION_KINDS)[number];

/** Kinds the EMS reference itself prescribes: counted like the others, logged only at debug level. */
export const DOCUMENTED_DEVIATIONS: ReadonlySet<DeviationKind> = new Set(['empty_time']);

/** One kind of deviation at one field of one response, with how often it occurred there. */
export interface Deviation {
  operation: string;
  /** Where, with list indices left out: `clusters[].cluster_metadata.status`. */
  field: string;
  kind: DeviationKind;
  /** Occurrences in this response (e.g. one per job with an empty `end_at`). */
  count: number;
  /** `X-Request-Id` of the response. */
  requestId: string | null;
}

/** Which response a record was read from, for errors about it. Plain JSON: records travel through Redis. */
export interface RecordSource {
  operation: string;
  requestId: string | null;
}

/**
 * A list element that could not be read. Plain data (it may travel through Redis inside a job);
 * the schema turns it into an error on the element's path with {@link unreadableError}.
 */
export interface Unreadable {
  /** Why, e.g. `EMS ListClusters sent clusters[3] without a readable cluster_metadata.id`. */
  unreadable: string;
  source: RecordSource;
}

/** A list element as read: the record, or why it could not be read. */
export type Listed<T> = T | Unreadable;

export function isUnreadable(value: unknown): value is Unreadable {
  return typeof value === 'object' && value !== null && typeof (value as Unreadable).unreadable === 'string';
}

/**
 * Reads one list element: the record, or a string saying why it cannot be read (`at` is null when
 * the element is not a JSON object).
 */
export type ElementReader<T> = (value: unknown, at: At | null, index?: number) => T | string;

/** Why an element that is not a JSON object cannot be read. */
export const NOT_AN_OBJECT = 'that is not a JSON object';

/**
 * The reader of elements whose identity is the field `key` (`what` in messages): an element without
 * a readable one cannot be read; `read` gets the identity and the element.
 */
export function byIdentity<T>(key: string, what: string, read: (id: string, at: At) => T): ElementReader<T> {
  return (_value, at) => {
    if (!at) return NOT_AN_OBJECT;
    const id = at.id(key);
    return id ? read(id, at) : `without a readable ${what}`;
  };
}

/** The records of a list that could be read. */
export function readable<T>(list: readonly Listed<T>[]): T[] {
  return list.filter((item): item is T => !isUnreadable(item));
}

/** The error an unreadable element (or field) stands for: UPSTREAM_BAD_RESPONSE with the EMS request id. */
export function unreadableError(item: Unreadable): EmsBadResponseError {
  return new EmsBadResponseError(item.unreadable, { operation: item.source.operation, requestId: item.source.requestId, status: null });
}

/**
 * The error for a field the schema cannot leave out (e.g. a cluster's `name`) when EMS sent none
 * that can be read. It lands on that field's path.
 */
export function missingFieldError(source: RecordSource, what: string): EmsBadResponseError {
  return unreadableError({ unreadable: `EMS ${source.operation} sent ${what}`, source });
}

/** EMS times: `yyyy-MM-ddTHH:mm:ssZ`; fractional seconds and numeric offsets are read too. */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** The instant a timestamp in that form names (epoch ms), or null for any other text. */
export function timestampMs(text: string): number | null {
  // No timestamp in that form is longer (nanoseconds and an offset: 35 characters).
  if (text.length > 40) return null;
  const known = instants.get(text);
  if (known !== undefined) return known;
  let ms: number | null = null;
  if (TIMESTAMP_PATTERN.test(text)) {
    const parsed = Date.parse(text);
    ms = Number.isNaN(parsed) ? null : parsed;
  }
  // Bounded: cleared whole when full, which costs one regex and Date.parse per timestamp again.
  if (instants.size >= MAX_KNOWN_INSTANTS) instants.clear();
  instants.set(text, ms);
  return ms;
}

/**
 * Timestamps read recently, and what they name: a list of jobs repeats the same few times in its
 * tasks (created together), and every poll and page sends them again.
 */
const instants = new Map<string, number | null>();
const MAX_KNOWN_INSTANTS = 10_000;
const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const INT32_MAX = 2147483647;

/** Reads one response; collects its deviations. */
export class WireReader {
  readonly source: RecordSource;
  private readonly noted = new Map<string, Deviation>();
  /** The same deviations by path template and key (see {@link noteAt}). */
  private readonly notedAt = new Map<string, Map<string, Deviation[]>>();

  /**
   * @param sensitive the body may hold secrets: messages never quote its values.
   * @param status HTTP status of the response, for errors.
   */
  constructor(
    readonly operation: string,
    requestId: string | null,
    readonly sensitive = false,
    readonly status: number | null = null,
  ) {
    this.source = { operation, requestId };
  }

  note(field: string, kind: DeviationKind): Deviation {
    const key = `${field}\0${kind}`;
    const seen = this.noted.get(key);
    if (seen) {
      seen.count += 1;
      return seen;
    }
    const deviation: Deviation = { operation: this.operation, field, kind, count: 1, requestId: this.source.requestId };
    this.noted.set(key, deviation);
    return deviation;
  }

  /**
   * Notes a deviation at `key` of the objects at `template`. The same few repeat once per element
   * (an empty `end_at` in every running job), so each is found again without building its path.
   */
  noteAt(template: string, key: string, kind: DeviationKind): void {
    let fields = this.notedAt.get(template);
    if (!fields) this.notedAt.set(template, (fields = new Map()));
    let seen = fields.get(key);
    if (!seen) fields.set(key, (seen = []));
    for (const deviation of seen) {
      if (deviation.kind === kind) {
        deviation.count += 1;
        return;
      }
    }
    seen.push(this.note(template === '' ? key : `${template}.${key}`, kind));
  }

  deviations(): Deviation[] {
    return [...this.noted.values()];
  }

  /** The body as a whole cannot give what the operation returns. */
  unreadable(what: string, value?: unknown): EmsBadResponseError {
    const got = value === undefined ? '' : this.quote(value);
    const message = `EMS ${this.operation} returned a body the gateway cannot read: ${what}${got}`;
    return new EmsBadResponseError(message, { operation: this.operation, requestId: this.source.requestId, status: this.status, issues: [`${what}${got}`] });
  }

  /** The body's root as an object, or the error for a body that is not one. */
  root(json: unknown): At {
    const at = this.object(json, '', '');
    if (!at) throw this.unreadable('the body must be a JSON object', json);
    return at;
  }

  /** The body's root as a list, or the error for a body that is not one. */
  rootList<T>(json: unknown, item: ElementReader<T>): Listed<T>[] {
    if (!Array.isArray(json)) throw this.unreadable('the body must be a JSON list', json);
    return this.elements(json, '[]', null, '', item);
  }

  /**
   * An object at a path; `concrete` is its concrete path, or (with `parent`) the key under `parent`
   * it was read from, its concrete path then built only when a message needs it.
   */
  object(value: unknown, template: string, concrete: string, parent: At | null = null, index = -1): At | null {
    return isObject(value) ? new At(this, value, template, concrete, parent, index) : null;
  }

  /**
   * The elements of a list, in one pass. `parent` and `key` say where the list is (null and `''`
   * for the body's root): concrete paths (`clusters[3]`) are built only for messages.
   */
  elements<T>(list: readonly unknown[], template: string, parent: At | null, key: string, item: ElementReader<T>): Listed<T>[] {
    const out = new Array<Listed<T>>(list.length);
    for (let i = 0; i < list.length; i++) {
      const value = list[i];
      const at = this.object(value, template, key, parent, i);
      const result = item(value, at, i);
      if (typeof result !== 'string') {
        out[i] = result;
        continue;
      }
      this.note(template, 'bad_element');
      const concrete = at ? at.concrete : elementPath(parent, key, i);
      out[i] = { unreadable: `EMS ${this.operation} sent ${concrete || 'an element'} ${result}`, source: this.source };
    }
    return out;
  }


  /** A short quote of a value for messages, unless the body is sensitive. */
  quote(value: unknown): string {
    return this.sensitive ? '' : ` (got ${quote(value)})`;
  }
}

/** One JSON object of a response, at a path. Field readers never throw. */
export class At {
  private concretePath: string | null;

  /**
   * @param concrete concrete path for messages; with `parent`, the key under it instead (and
   *   `index` >= 0 for an element of the list at that key): the path is then built on first use.
   */
  constructor(
    readonly reader: WireReader,
    readonly value: Record<string, unknown>,
    /** Path template for deviations (`clusters[].cluster_metadata`). */
    readonly template: string,
    private readonly key: string,
    private readonly parent: At | null = null,
    private readonly index = -1,
  ) {
    this.concretePath = parent ? null : index >= 0 ? `${key}[${index}]` : key;
  }

  /** Concrete path for messages (`clusters[3].cluster_metadata`). */
  get concrete(): string {
    this.concretePath ??= this.index >= 0 ? elementPath(this.parent, this.key, this.index) : this.parent!.where(this.key);
    return this.concretePath;
  }

  path(key: string): string {
    return this.template === '' ? key : `${this.template}.${key}`;
  }

  where(key: string): string {
    return this.concrete === '' ? key : `${this.concrete}.${key}`;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  private note(key: string, kind: DeviationKind): void {
    this.reader.noteAt(this.template, key, kind);
  }

  /** An optional string: null, absent and `""` read alike as null. */
  string(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') {
      this.note(key, 'string_from_number');
      return String(value);
    }
    this.note(key, 'bad_field');
    return null;
  }

  /** An identifier: a non-empty string (a number is read as its text); null when there is none. */
  id(key: string): string | null {
    const value = this.value[key];
    if (typeof value === 'string') return value.trim() === '' ? null : value;
    if (typeof value === 'number' && Number.isFinite(value)) {
      this.note(key, 'string_from_number');
      return String(value);
    }
    return null;
  }

  /** A time: a timestamp string as sent, or null for `""` (noted), null or absent. */
  time(key: string): string | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (value === '') {
      this.note(key, 'empty_time');
      return null;
    }
    if (typeof value === 'string') {
      const text = value.trim();
      if (timestampMs(text) !== null) return text;
    }
    this.note(key, 'bad_field');
    return null;
  }

  /** A finite number; a numeric string is read as its number. */
  number(key: string): number | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && NUMERIC.test(value)) {
      const n = Number(value);
      if (Number.isFinite(n)) {
        this.note(key, 'numeric_string');
        return n;
      }
    }
    this.note(key, 'bad_field');
    return null;
  }

  /** A whole number that fits GraphQL's Int (32 bits); anything else that is no such number is null. */
  int(key: string): number | null {
    const n = this.number(key);
    if (n === null) return null;
    if (Number.isInteger(n) && Math.abs(n) <= INT32_MAX) return n;
    this.note(key, 'bad_field');
    return null;
  }

  /** A count: a whole number >= 0 (any size JavaScript holds exactly). */
  count(key: string): number | null {
    const n = this.number(key);
    if (n === null) return null;
    if (Number.isSafeInteger(n) && n >= 0) return n;
    this.note(key, 'bad_field');
    return null;
  }

  /** A boolean; `"true"` and `"false"` (any case) are read as booleans. */
  bool(key: string): boolean | null {
    const value = this.value[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
      this.note(key, 'boolean_string');
      return value.trim().toLowerCase() === 'true';
    }
    this.note(key, 'bad_field');
    return null;
  }

  /**
   * A string enum: a listed value as itself, any other text as UNKNOWN with the text kept
   * (`unknown_enum`). Absent or not a string: UNKNOWN without text (`bad_field`).
   */
  enumOf<T extends string>(key: string, values: readonly T[]): { value: T | 'UNKNOWN'; text: string | null } {
    const value = this.value[key];
    if (typeof value === 'string' && value !== '') {
      if ((values as readonly string[]).includes(value)) return { value: value as T, text: value };
      this.note(key, 'unknown_enum');
      return { value: 'UNKNOWN', text: value };
    }
    this.note(key, 'bad_field');
    return { value: 'UNKNOWN', text: null };
  }

  /** An int-coded enum (`lts_connect_type`): a listed code, or null for an unlisted one (`unknown_enum`). */
  code<T extends number>(key: string, values: readonly T[]): T | null {
    const n = this.int(key);
    if (n === null) return null;
    if ((values as readonly number[]).includes(n)) return n as T;
    this.note(key, 'unknown_enum');
    return null;
  }

  /** An optional object; null or absent is noted as `null_object`. */
  object(key: string): At | null {
    const value = this.value[key];
    if (value === undefined || value === null) {
      this.note(key, 'null_object');
      return null;
    }
    const at = this.reader.object(value, this.path(key), key, this);
    if (!at) this.note(key, 'bad_field');
    return at;
  }

  /**
   * A list, element by element. Null or absent reads as empty (`null_list`); anything else that is
   * not a list is `bad_field` (empty). With `required` (the list a list operation returns), a body
   * without it, or with something else than a list or null there, cannot be read at all.
   * @param item reads one element; returns a string saying why when it cannot be read.
   */
  list<T>(key: string, item: ElementReader<T>, options: { required?: boolean } = {}): Listed<T>[] {
    const value = this.value[key];
    // The list a list operation returns must be there: a body without it is another shape, not "none".
    if (value === undefined && options.required) throw this.reader.unreadable(`the body has no ${this.where(key)} list`, this.value);
    if (value === undefined || value === null) {
      this.note(key, 'null_list');
      return [];
    }
    if (!Array.isArray(value)) {
      if (options.required) throw this.reader.unreadable(`${this.where(key)} must be a list`, value);
      this.note(key, 'bad_field');
      return [];
    }
    return this.reader.elements(value, `${this.path(key)}[]`, this, key, item);
  }
}

/** The concrete path of element `index` of the list at `key` under `parent` (the root list: null, `''`). */
function elementPath(parent: At | null, key: string, index: number): string {
  return parent ? `${parent.where(key)}[${index}]` : `[${index}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

