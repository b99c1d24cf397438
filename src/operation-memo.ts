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
    let key: string;
    try {
      key = `${operationName ?? ''}\0${JSON.stringify(variables ?? null)}`;
    } catch {
      return computeNow();
    }
    let known = byDocument.get(document);
    if (!known) byDocument.set(document, (known = new Map()));
    if (known.has(key)) return known.get(key)!;
    const value = computeNow();
    if (known.size >= perDocument) known.delete(known.keys().next().value!);
    known.set(key, value);
    return value;
  };
}
