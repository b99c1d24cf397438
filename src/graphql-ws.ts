import type { IncomingMessage } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { CloseCode, handleProtocols, makeServer, MessageType, parseMessage, type ServerOptions, type SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { SHARED_RESULT_MS, type SharedRun } from './context.js';

type LogFn = (obj: object, msg: string) => void;
type WsOptions = ServerOptions<Record<string, unknown> | undefined, Extra>;
/** graphql-ws's per-connection state, as its hooks see it. */
type WsContext = Parameters<NonNullable<WsOptions['onConnect']>>[0];
/** What graphql-ws's onSubscribe returns: the errors to answer with, or the arguments to execute. */
type Admission = readonly GraphQLError[] | ExecutionArgs;

/**
 * The direct path of shared subscriptions (see SubscriptionGroup): what it needs of the GraphQL side.
 * Without it, every operation runs through graphql-ws alone.
 */
export interface SharedSubscriptions {
  /** Everything graphql-ws's onSubscribe does for an operation (admission, parse, validation, context); never throws. */
  admit(ctx: WsContext, id: string, payload: SubscribePayload): Promise<Admission>;
  /** The group of an admitted operation, or null to run it as graphql-ws does (a query, a mutation, a subscription that cannot be shared). */
  keyOf(args: ExecutionArgs): string | null;
  /** Subscribes a group's first member the normal way, with `run` on its context: the results of every member, or one result when refused. */
  start(args: ExecutionArgs, run: SharedRun): Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  /**
   * What a later member goes through instead of subscribing: its own per-subscriber checks and
   * accounting. A refusal result, or what to call when it leaves.
   */
  join(args: ExecutionArgs): Promise<{ refused: ExecutionResult } | { leave(): void }>;
}

/**
 * graphql-ws (`graphql-transport-ws`) on a `ws` server, as graphql-ws's own `useServer` does it
 * (the protocol is graphql-ws's `makeServer`), with what a fan-out to thousands of subscribers needs:
 *
 * - **a direct path for shared subscriptions** (with `shared`): subscribers of one operation with
 *   one sharing key are members of one group (see SubscriptionGroup), whose one result stream is
 *   serialized once per result and written straight to each member's socket;
 * - **one serialization per result** for the rest: subscribers of one watch get one shared result
 *   per event (see subscriptionEventScopes in src/context.ts), so its `data` is turned into JSON
 *   once, and each subscriber's `next` message is that JSON with its own id around it;
 * - **nothing per socket it does not need**: no keep-alive timer of its own (the gateway pings every
 *   socket from one interval: dropSilentSockets in src/app.ts), and socket errors, which are the
 *   client's doing (an oversized or malformed frame, a reset), go to the logger at debug level
 *   instead of stderr.
 */
export function serveGraphqlWs(
  options: WsOptions,
  wsServer: WebSocketServer,
  logger: { debug: LogFn; error: LogFn },
  shared?: SharedSubscriptions,
): { dispose(): Promise<void>; groupsEnded(timeoutMs: number): Promise<boolean> } {
  /** graphql-ws's state of each connection, once it called onConnect. */
  const connections = new WeakMap<WebSocket, WsContext>();
  /** Admissions made before an operation was handed to graphql-ws, by connection and operation id. */
  const admitted = new WeakMap<WsContext, Map<string, { outcome: Admission; cancelled: boolean }>>();
  const groups = shared && new SubscriptionGroups(shared, logger);
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    ...options,
    onConnect: (ctx) => {
      connections.set(ctx.extra.socket, ctx);
      return options.onConnect?.(ctx);
    },
    onSubscribe: (ctx, id, payload) => {
      const own = admitted.get(ctx)?.get(id);
      if (!own) return options.onSubscribe?.(ctx, id, payload);
      admitted.get(ctx)!.delete(id);
      // The client completed it while it was admitted: graphql-ws then runs it without answering.
      if (own.cancelled) delete ctx.subscriptions[id];
      return own.outcome as ExecutionArgs;
    },
    // The payload of a `next` becomes a placeholder that send() replaces with the shared JSON.
    onNext: async (ctx, id, payload, args, result) => {
      const replaced = await options.onNext?.(ctx, id, payload, args, result);
      return placeholder(ctx.extra.socket, (replaced ?? result) as ExecutionResult) as unknown as ExecutionResult;
    },
  });

  /**
   * A `subscribe` message of an acknowledged connection, for an id not in use: admitted here, then
   * either run on the direct path (a shared subscription) or handed to graphql-ws with its
   * admission (which graphql-ws's onSubscribe then returns), so nothing is admitted twice. Anything
   * else (other messages, a protocol violation graphql-ws closes the socket for) goes to graphql-ws
   * as it came. Returns whether the message was handled.
   */
  async function intercept(socket: WebSocket, data: string, handOver: (data: string) => Promise<void>): Promise<boolean> {
    const ctx = connections.get(socket);
    if (!groups || !ctx?.acknowledged) return false;
    let message;
    try {
      message = parseMessage(data);
    } catch {
      return false;
    }
    if (message.type !== MessageType.Subscribe || message.id in ctx.subscriptions) return false;
    const { id, payload } = message;
    // Reserved as graphql-ws reserves it: the connection's operations count it from now on.
    ctx.subscriptions[id] = null;
    const outcome = await groups.shared.admit(ctx, id, payload);
    const cancelled = !(id in ctx.subscriptions);
    const key = cancelled || isErrors(outcome) ? null : groups.shared.keyOf(outcome);
    if (key === null) {
      let own = admitted.get(ctx);
      if (!own) admitted.set(ctx, (own = new Map()));
      own.set(id, { outcome, cancelled });
      delete ctx.subscriptions[id];
      await handOver(data);
      return true;
    }
    await groups.place(socket, ctx, id, key, outcome as ExecutionArgs);
    return true;
  }

  wsServer.options.handleProtocols = handleProtocols;
  wsServer.on('error', (err) => logger.error({ err }, 'WebSocket server error'));
  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.on('error', (err) => logger.debug({ err: { message: err.message } }, 'WebSocket client error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(withSharedPayload(socket, data), (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (message) => {
            try {
              const data = String(message);
              if (!(await intercept(socket, data, cb))) await cb(data);
            } catch (err) {
              logger.error({ err }, 'graphql-ws message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request: slimRequest(request) },
    );
    socket.once('close', (code, reason) => {
      pending.delete(socket);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((err) => (err ? reject(err) : resolve())));
    },
    groupsEnded: (timeoutMs) => groups?.allEnded(timeoutMs) ?? Promise.resolve(true),
  };
}

function isErrors(outcome: Admission): outcome is readonly GraphQLError[] {
  return Array.isArray(outcome);
}

/** Members handed a message per turn of the event loop, as the hub hands events to its subscribers (FANOUT_SLICE in src/subscriptions/hub.ts). */
const GROUP_SLICE = 1_000;

/**
 * Messages a member's socket may have queued (sent, not yet flushed to the network) before its
 * `next` messages are held back: then only the latest one is kept, and sent when the socket
 * catches up. So a slow reader skips intermediate results, never the latest one, and holds a
 * bounded amount of memory, as the hub's sliding buffer of 16 (src/subscriptions/stream.ts) did for
 * it on the iterator path.
 */
const MAX_UNSENT = 16;

/**
 * One member of a group: what the direct path keeps per subscriber. graphql-ws lists it among the
 * connection's operations (so the per-connection limit counts it, and the client's `complete` or
 * the socket's close ends it through `return()`), but never iterates it.
 */
class Member implements AsyncIterableIterator<never> {
  /** Messages given to the socket whose write has not called back yet. */
  unsent = 0;
  /** The latest `next` held back while the socket catches up (see MAX_UNSENT). */
  held: string | null = null;
  /** The member's last message (`complete` or `error`), held back behind `held`. */
  last: string | null = null;
  /** Has had no result yet: gets the group's next one (a replay or an event). */
  waiting = true;

  constructor(
    readonly socket: WebSocket,
    readonly ctx: WsContext,
    readonly id: string,
    readonly group: SubscriptionGroup,
    /** Settles the member's own accounting (src/security: its EMS-call reservation); null for the first member, whose accounting is its subscription's. */
    readonly leave: (() => void) | null,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  next(): Promise<IteratorResult<never>> {
    return Promise.resolve(DONE);
  }

  return(): Promise<IteratorResult<never>> {
    this.group.remove(this);
    return Promise.resolve(DONE);
  }
}

const DONE: IteratorResult<never> = { value: undefined, done: true };

/** Sends `data` to a member's socket, or holds it while the socket is behind (see MAX_UNSENT). */
function write(member: Member, data: string, last = false) {
  const socket = member.socket;
  if (socket.readyState !== socket.OPEN) return;
  if (member.unsent >= MAX_UNSENT || member.held !== null) {
    if (last) member.last = data;
    else member.held = data;
    return;
  }
  member.unsent++;
  socket.send(data, () => written(member));
}

function written(member: Member) {
  member.unsent--;
  if (member.unsent >= MAX_UNSENT) return;
  const held = member.held;
  member.held = null;
  if (held !== null) write(member, held);
  const last = member.last;
  member.last = null;
  if (last !== null) write(member, last, true);
}

function nextMessage(id: string, payload: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`;
}

/** The groups of one server, by sharing key. */
class SubscriptionGroups {
  readonly byKey = new Map<string, SubscriptionGroup>();
  /** Groups started and not yet done with their last messages (ended() waits for them). */
  readonly live = new Set<SubscriptionGroup>();
  private idle: (() => void)[] = [];

  constructor(
    readonly shared: SharedSubscriptions,
    readonly logger: { error: LogFn },
  ) {}

  /**
   * Makes an admitted subscription a member of its group: the first of its key starts the group
   * (its subscription is the group's); a later one joins after its own checks. Returns once it is
   * placed (or answered, or gone).
   */
  async place(socket: WebSocket, ctx: WsContext, id: string, key: string, args: ExecutionArgs): Promise<void> {
    for (;;) {
      // The client completed it, or its connection closed (graphql-ws empties the list then).
      if (!(id in ctx.subscriptions)) return;
      const group = this.byKey.get(key);
      if (!group) return this.start(socket, ctx, id, key, args);
      if (group.starting) {
        await group.starting;
        continue;
      }
      const verdict = await this.shared.join(args);
      if (!(id in ctx.subscriptions)) {
        if ('leave' in verdict) verdict.leave();
        return;
      }
      if ('refused' in verdict) {
        // As graphql-ws answers a subscription refused before it started: one `next`, then `complete`.
        delete ctx.subscriptions[id];
        if (socket.readyState !== socket.OPEN) return;
        socket.send(nextMessage(id, payloadJson(verdict.refused)));
        socket.send(COMPLETE(id));
        return;
      }
      if (group.ended) {
        verdict.leave();
        continue;
      }
      group.join(new Member(socket, ctx, id, group, verdict.leave));
      return;
    }
  }

  private async start(socket: WebSocket, ctx: WsContext, id: string, key: string, args: ExecutionArgs): Promise<void> {
    const group = new SubscriptionGroup(this, key);
    this.byKey.set(key, group);
    this.live.add(group);
    const member = new Member(socket, ctx, id, group, null);
    group.members.add(member);
    ctx.subscriptions[id] = member;
    let started: () => void = () => {};
    group.starting = new Promise<void>((resolve) => (started = resolve));
    let result: AsyncIterable<ExecutionResult> | ExecutionResult;
    try {
      result = await this.shared.start(args, group.run);
    } catch (error) {
      group.discard();
      throw error;
    } finally {
      group.starting = null;
      started();
    }
    if (!isAsyncIterable(result)) {
      // Refused (the cost limit, its caller's EMS calls, a depth limit): its first member gets the
      // answer as graphql-ws would send it; others waiting for the group try again on their own.
      group.discard();
      if (ctx.subscriptions[id] === member) {
        delete ctx.subscriptions[id];
        write(member, nextMessage(id, payloadJson(result)));
        write(member, COMPLETE(id), true);
      }
      return;
    }
    void group.pump(result[Symbol.asyncIterator]());
  }

  ended(group: SubscriptionGroup) {
    if (this.byKey.get(group.key) === group) this.byKey.delete(group.key);
  }

  done(group: SubscriptionGroup) {
    this.ended(group);
    this.live.delete(group);
    if (this.live.size === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves once every group has ended and sent its last messages, or after `timeoutMs` (to false). */
  allEnded(timeoutMs: number): Promise<boolean> {
    if (this.live.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

const COMPLETE = (id: string) => `{"id":${JSON.stringify(id)},"type":"complete"}`;

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

/**
 * The graphql-ws subscribers of one operation with one sharing key (sharingKey in src/context.ts:
 * document, operation name, variables, credentials, per-region tokens, roles), served as one: the
 * first member's subscription runs through the normal path (admission, parse, validation,
 * authorization, limits, the execution guard, error masking), and its results are what every member
 * would have got, so each is serialized once and written straight to every member's socket as
 * `{"id":<its id>,"type":"next","payload":<the shared JSON>}`. Per member only a Member is kept (its
 * socket, operation id and group); no iterator chain, no context.
 *
 * - A later member gets the latest result at once when it is at most SHARED_RESULT_MS old (as the
 *   shared execution would have handed it), else the latest event executed again for it (its nested
 *   fields read anew), through the same stream (SharedRun.replay).
 * - The group outlives its first member; it ends when its last member leaves (its subscription is
 *   returned, so the hub's poller stops with the last subscriber), or when its stream completes
 *   (every member gets `complete`) or fails (every member gets the `error`).
 * - Results go out in order, FANOUT_SLICE members per turn of the event loop; a member's last
 *   message follows its results; a slow socket skips intermediate results (MAX_UNSENT).
 */
class SubscriptionGroup {
  readonly members = new Set<Member>();
  readonly run: SharedRun;
  /** While the first member's subscription is being set up: later ones wait for it. */
  starting: Promise<void> | null = null;
  ended = false;
  /** The latest result's JSON, and when it was made. */
  private latest: { json: string; at: number } | null = null;
  private results: AsyncIterator<ExecutionResult> | null = null;

  constructor(
    private readonly all: SubscriptionGroups,
    readonly key: string,
  ) {
    const members = this.members;
    this.run = { subscribers: { get count() { return members.size; } }, replays: [] };
  }

  join(member: Member) {
    this.members.add(member);
    member.ctx.subscriptions[member.id] = member;
    const latest = this.latest;
    if (latest && performance.now() - latest.at < SHARED_RESULT_MS) {
      member.waiting = false;
      write(member, nextMessage(member.id, latest.json));
    } else if (latest) {
      this.run.replay?.();
    }
  }

  remove(member: Member) {
    if (!this.members.delete(member)) return;
    member.leave?.();
    if (this.members.size > 0 || this.ended) return;
    this.ended = true;
    this.all.ended(this);
    // The last member left: the subscription ends, so the hub's poller stops with it.
    if (this.results) void this.results.return?.();
    else if (!this.starting) this.all.done(this);
  }

  /** Ends a group whose subscription did not start (refused, or it threw). */
  discard() {
    this.ended = true;
    this.members.clear();
    this.all.done(this);
  }

  async pump(results: AsyncIterator<ExecutionResult>) {
    this.results = results;
    // Every member left while the subscription was set up.
    if (this.ended) void results.return?.();
    let last: (id: string) => string = COMPLETE;
    try {
      for (;;) {
        const result = await results.next();
        if (result.done) break;
        const replay = this.run.replays.shift() ?? false;
        await this.deliver(payloadJson(result.value), replay);
      }
    } catch (error) {
      // As graphql-ws reports a stream that throws: an `error` message, and no `complete` after it.
      const message = error instanceof Error ? error.message : String(error);
      const json = JSON.stringify([new GraphQLError(message, { originalError: error instanceof Error ? error : undefined }).toJSON()]);
      last = (id) => `{"id":${JSON.stringify(id)},"type":"error","payload":${json}}`;
    }
    await this.finish(last);
  }

  /** Sends a result to every member (a replay: to those that have had none yet), a slice per turn. */
  private async deliver(json: string, replay: boolean) {
    this.latest = { json, at: performance.now() };
    const targets = [...this.members];
    for (let i = 0; i < targets.length; i++) {
      if (i > 0 && i % GROUP_SLICE === 0) await new Promise(setImmediate);
      const member = targets[i]!;
      if (!this.members.has(member) || (replay && !member.waiting)) continue;
      member.waiting = false;
      write(member, nextMessage(member.id, json));
    }
  }

  /** The stream is over: each member's last message, a slice per turn; they leave the connection's operations. */
  private async finish(last: (id: string) => string) {
    const targets = [...this.members];
    if (!this.ended) {
      this.ended = true;
      this.all.ended(this);
    }
    this.members.clear();
    for (let i = 0; i < targets.length; i++) {
      if (i > 0 && i % GROUP_SLICE === 0) await new Promise(setImmediate);
      const member = targets[i]!;
      if (member.ctx.subscriptions[member.id] === member) delete member.ctx.subscriptions[member.id];
      member.leave?.();
      write(member, last(member.id), true);
    }
    this.all.done(this);
  }
}

/**
 * What the gateway reads of a WebSocket's upgrade request (its socket, headers and URL), without
 * the request itself: graphql-ws keeps `extra.request` as long as the connection lives, and an
 * IncomingMessage carries streams, buffers and raw headers besides.
 */
function slimRequest(request: IncomingMessage): IncomingMessage {
  return { socket: request.socket, headers: request.headers, url: request.url, method: request.method } as IncomingMessage;
}

/** Prefix of a placeholder payload: a control character, which no JSON serializer leaves unescaped elsewhere. */
const MARK = '\u0000payload:';
/** MARK as it reads inside a JSON string. */
const ESCAPED_MARK = JSON.stringify(MARK).slice(1, -1);

/** Per socket, the payloads waiting for their message to be sent, by placeholder (numbered across sockets). */
const pending = new WeakMap<WebSocket, { payloads: Map<string, string> }>();
let nextPlaceholder = 0;

/** JSON of a result's `data`, made once per data object whoever it is sent to. */
const dataJson = new WeakMap<object, string>();

function placeholder(socket: WebSocket, result: ExecutionResult): { toJSON(): string } {
  let own = pending.get(socket);
  if (!own) pending.set(socket, (own = { payloads: new Map() }));
  const n = nextPlaceholder++;
  own.payloads.set(`${ESCAPED_MARK}${n}`, payloadJson(result));
  return { toJSON: () => `${MARK}${n}` };
}

/**
 * The JSON of a `next` payload as graphql-ws would write it (`errors` as their toJSON), with the
 * `data` part made once per data object.
 */
function payloadJson(result: ExecutionResult): string {
  let json = '';
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined || typeof value === 'function' || key === 'errors') continue;
    let part: string;
    if (key === 'data' && value !== null && typeof value === 'object') {
      part = dataJson.get(value) ?? JSON.stringify(value);
      dataJson.set(value, part);
    } else {
      part = JSON.stringify(value);
    }
    json += `${json ? ',' : ''}${JSON.stringify(key)}:${part}`;
  }
  if (result.errors) {
    const errors = result.errors.map((e) => ((e as GraphQLError).toJSON ? (e as GraphQLError).toJSON() : e));
    json += `${json ? ',' : ''}"errors":${JSON.stringify(errors)}`;
  }
  return `{${json}}`;
}

/** A message as graphql-ws wrote it, its placeholder payload (always the last member) replaced. */
function withSharedPayload(socket: WebSocket, data: string): string {
  const own = pending.get(socket);
  if (!own || own.payloads.size === 0 || !data.endsWith('"}')) return data;
  const at = data.lastIndexOf(PAYLOAD_MEMBER);
  if (at < 0) return data;
  // The placeholder as JSON wrote it (its control character escaped), which is how it is kept.
  const token = data.slice(at + PAYLOAD_MEMBER.length, -2);
  const json = own.payloads.get(token);
  if (json === undefined) return data;
  own.payloads.delete(token);
  // Nothing kept per socket between messages (thousands of sockets wait for the next event).
  if (own.payloads.size === 0) pending.delete(socket);
  return `${data.slice(0, at)},"payload":${json}}`;
}

const PAYLOAD_MEMBER = ',"payload":"';
