import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, Lexer, Source, TokenKind, type DocumentNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';
import { gatewayError } from '../errors.js';

/**
 * Limits on the GraphQL document itself, applied on every transport before anything is parsed
 * (size, nesting) or executed (tokens, aliases, directives), each answered with a coded 4xx error.
 */

/** Brackets of argument values may nest this much deeper than selections (input objects, lists). */
export const VALUE_NESTING_ALLOWANCE = 32;

/** The error of a document over a limit: QUERY_TOO_COMPLEX, with the variable that sets the limit. */
export function limitExceeded(message: string, limit: string, code = 'QUERY_TOO_COMPLEX', status = 400): GraphQLError {
  return gatewayError(message, code, { limit, http: { status } });
}

/**
 * Checks a document's size and nesting before it is parsed: graphql-js parses (and validates)
 * recursively, so a document nested 10,000 deep would overflow the stack. The scan runs over the
 * lexer's tokens in one loop, never recursing; selection-set depth is measured as MAX_QUERY_DEPTH
 * measures it (a field's depth is the number of selection sets around it). Returns the error, or
 * null when the document may be parsed (syntax errors are left to the parser).
 */
export function checkDocumentSource(source: string, limits: { maxDocumentBytes: number; maxDepth: number }): GraphQLError | null {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > limits.maxDocumentBytes) {
    return limitExceeded(`The GraphQL document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes}`, 'MAX_DOCUMENT_BYTES', 'DOCUMENT_TOO_LARGE', 413);
  }
  const maxNesting = limits.maxDepth + VALUE_NESTING_ALLOWANCE;
  // What each open bracket is: a selection set ('S'), or part of a value or argument list ('V').
  const open: ('S' | 'V')[] = [];
  let selections = 0;
  let deepest = 0;
  const lexer = new Lexer(new Source(source));
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      switch (token.kind) {
        case TokenKind.BRACE_L: {
          // An object value only occurs inside an argument list, a list or another object value.
          const selectionSet = open.length === 0 || open[open.length - 1] === 'S';
          open.push(selectionSet ? 'S' : 'V');
          if (selectionSet) deepest = Math.max(deepest, ++selections);
          break;
        }
        case TokenKind.PAREN_L:
        case TokenKind.BRACKET_L:
          open.push('V');
          break;
        case TokenKind.BRACE_R:
        case TokenKind.PAREN_R:
        case TokenKind.BRACKET_R:
          if (open.pop() === 'S') selections -= 1;
          break;
        default:
          break;
      }
      if (open.length > maxNesting) {
        return selections > limits.maxDepth
          ? limitExceeded(`Query depth exceeds the limit of ${limits.maxDepth} (more than ${selections} levels)`, 'MAX_QUERY_DEPTH')
          : limitExceeded(`The GraphQL document nests values deeper than ${maxNesting} levels`, 'MAX_QUERY_DEPTH');
      }
    }
  } catch (error) {
    if (error instanceof GraphQLError) return null; // a syntax error: the parser reports it
    throw error;
  }
  if (deepest > limits.maxDepth) return limitExceeded(`Query depth ${deepest} exceeds the limit of ${limits.maxDepth}`, 'MAX_QUERY_DEPTH');
  return null;
}

/**
 * Checks request variables before anything reads them: their size as JSON (MAX_VARIABLES_BYTES,
 * `413 VARIABLES_TOO_LARGE`) and how deep their lists and objects nest (as deep as an argument value
 * of the document may: MAX_QUERY_DEPTH + 32 levels, else `400 VARIABLES_TOO_LARGE`). JSON.stringify
 * and every recursive walk overflow the stack on variables nested 100,000 deep, which JSON.parse
 * reads without complaint; so both are measured in one loop over an explicit stack, which stops at
 * the first limit passed. Returns the error, or null.
 */
export function checkVariables(variables: unknown, limits: { maxVariablesBytes: number; maxDepth: number }): GraphQLError | null {
  const maxNesting = limits.maxDepth + VALUE_NESTING_ALLOWANCE;
  let bytes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: variables, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value !== null && typeof value === 'object') {
      if (depth + 1 > maxNesting) {
        return limitExceeded(`The variables nest lists or objects deeper than ${maxNesting} levels`, 'MAX_QUERY_DEPTH', 'VARIABLES_TOO_LARGE', 400);
      }
      if (Array.isArray(value)) {
        // Brackets and commas; an undefined item would be written as null.
        bytes += 2 + Math.max(0, value.length - 1);
        for (const item of value) stack.push({ value: item === undefined ? null : item, depth: depth + 1 });
      } else {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
        // Braces, commas and colons.
        bytes += 2 + Math.max(0, entries.length - 1) + entries.length;
        for (const [key, item] of entries) {
          bytes += Buffer.byteLength(JSON.stringify(key));
          stack.push({ value: item, depth: depth + 1 });
        }
      }
    } else {
      bytes += Buffer.byteLength(JSON.stringify(value) ?? 'null');
    }
    if (bytes > limits.maxVariablesBytes) {
      return limitExceeded(`The variables are more than ${limits.maxVariablesBytes} bytes as JSON, the limit`, 'MAX_VARIABLES_BYTES', 'VARIABLES_TOO_LARGE', 413);
    }
  }
  return null;
}

/**
 * The document limits as envelop plugins, so HTTP, SSE and graphql-ws share them: the pre-parse
 * check above (skipped for a document of `parsed`, yoga's parse cache: it passed when parsed), then graphql-armor's token limit (in the parser), alias and directive limits (in
 * validation) and, when suggestions are off, its removal of "Did you mean …" from errors.
 */
export function documentLimits(config: Config, parsed: { has(source: string): boolean } | null = null): Plugin[] {
  const { limits } = config.security;
  const checked: Plugin = {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      // A document in the parse cache passed this check when it was parsed (the limits do not change).
      if (parsed?.has(source)) return;
      const error = checkDocumentSource(source, { maxDocumentBytes: limits.maxDocumentBytes, maxDepth: config.limits.maxDepth });
      if (error) throw error;
    },
  };
  const report = (code: string, limit: string) => (context: ValidationContext | null, error: GraphQLError) => {
    const coded = limitExceeded(error.message.replace(/^Syntax Error: /, ''), limit, code);
    if (!context) throw coded;
    context.reportError(coded);
  };
  const armor = EnvelopArmorPlugin({
    maxTokens: { n: limits.maxTokens, onReject: [report('QUERY_TOO_COMPLEX', 'MAX_TOKENS')], propagateOnRejection: false },
    maxAliases: { n: limits.maxAliases, onReject: [report('QUERY_TOO_COMPLEX', 'MAX_ALIASES')], propagateOnRejection: false },
    maxDirectives: { n: limits.maxDirectives, onReject: [report('QUERY_TOO_COMPLEX', 'MAX_DIRECTIVES')], propagateOnRejection: false },
    blockFieldSuggestion: { enabled: !config.security.fieldSuggestions },
    // Depth is checked above (without recursion) and again, through fragments, by src/limits.ts;
    // cost is counted in EMS calls by src/security/cost.ts.
    maxDepth: { enabled: false },
    costLimit: { enabled: false },
  }) as Plugin;
  return [checked, armor];
}

/**
 * Heap bytes a parsed document takes per byte of its source (AST nodes and their locations, plus
 * the validation result that lives as long). Measured with --expose-gc: about 42 for the test
 * operations, about 80 for a dense document of aliases; the larger is used.
 */
export const AST_BYTES_PER_SOURCE_BYTE = 80;

/**
 * yoga's parse and validation caches, bounded by size rather than count: a cached document costs
 * about AST_BYTES_PER_SOURCE_BYTE times its source, so a count bound lets a few large unique
 * documents hold hundreds of megabytes. Validation results are kept per document, so they go when
 * their document does.
 */
export function parseCaches(maxBytes: number) {
  if (maxBytes === 0) return false as const;
  const sized = <V extends object>(budget: number) =>
    new LRUCache<string, V>({
      maxSize: budget,
      sizeCalculation: (_value, key) => Math.max(1, key.length * AST_BYTES_PER_SOURCE_BYTE),
      // One entry larger than the whole budget is simply not cached.
      maxEntrySize: budget,
    });
  // Parse errors keep their source (for locations): a quarter of the budget, beside the documents.
  const errors = Math.max(1, Math.floor(maxBytes / 4));
  return { documentCache: sized<DocumentNode>(maxBytes - errors), errorCache: sized<Error>(errors), validationCache: true };
}
