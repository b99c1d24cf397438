import type { DocumentNode } from 'graphql';

/**
 * Remembers what is computed from an operation alone (its cost, its limits): per parsed document
 * (Yoga's parse cache hands the same DocumentNode to every request of the same text, and a document
 * no longer cached is forgotten with it), then per operation name and variables, at most
 * `perDocument` of those per document. Variables that cannot be turned into a key are computed
 * every time.
 */
export function operationMemo<T>(perDocument = 64) {
  const byDocument = new WeakMap<DocumentNode, Map<string, T>>();
  return (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
    computeNow: () => T,
  ): T => {
    const vars = variablesKey(variables);
    if (vars === null) return computeNow();
    const key = `${operationName ?? ''}\0${vars}`;
    let known = byDocument.get(document);
    if (!known) byDocument.set(document, (known = new Map()));
    if (known.has(key)) return known.get(key)!;
    const value = computeNow();
    if (known.size >= perDocument) known.delete(known.keys().next().value!);
    known.set(key, value);
    return value;
  };
}

/**
 * The variables of a request as a key, or null when they do not serialize. Remembered per variables
 * object: the memos of one request (its cost, its limits) are asked with the same object, which is
 * not changed meanwhile (execution coerces into a new one).
 */
const variablesKeys = new WeakMap<object, string | null>();

function variablesKey(variables: Record<string, unknown> | null | undefined): string | null {
  if (variables == null) return 'null';
  let key = variablesKeys.get(variables);
  if (key === undefined) {
    try {
      key = JSON.stringify(variables);
    } catch {
      key = null;
    }
    variablesKeys.set(variables, key);
  }
  return key;
}
