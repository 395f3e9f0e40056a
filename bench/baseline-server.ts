import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import {
  buildSchema,
  type DocumentNode,
  execute,
  type GraphQLError,
  type GraphQLSchema,
  isObjectType,
  parse,
  validate,
} from 'graphql';
import { trivialResolve } from './trivial-resolvers.ts';

export interface BaselineServer {
  graphqlUrl: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Attaches the trivial resolvers to every Query and Mutation field of the schema. */
function withTrivialResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      field.resolve = (_source, args) => trivialResolve(key, args as Record<string, unknown>);
    }
  }
  return schema;
}

/**
 * The yardstick for the local endpoint: the same schema (appsync.graphql + schema.graphql)
 * served by nothing but `graphql` and `node:http` — verify the caller's user-pool ID token
 * with `aws-jwt-verify` (signature against the pool's JWKS, issuer, audience, `token_use`,
 * expiry, as a Node server behind Cognito does), parse, validate, execute, reply — with the
 * same trivial resolvers. What the local endpoint adds on top (AppSync's choice among its
 * auth modes, the directives' group checks, resolver code, error shapes, scalars) is what
 * the comparison prices.
 * With `cacheDocuments`, parsing and validation happen once per distinct query, as in the
 * local endpoint (and any production GraphQL server); without, on every request.
 */
export async function startBaselineServer(options: {
  schemaSdl: string;
  /** The user pool whose ID tokens are accepted, with its signing keys known up front. */
  userPool: { userPoolId: string; clientId: string; jwks: Jwks };
  host: string;
  port: number;
  /** Keep parsed and validated documents by query text, as production GraphQL servers do. */
  cacheDocuments: boolean;
}): Promise<BaselineServer> {
  const schema = withTrivialResolvers(buildSchema(options.schemaSdl));
  const verifier = CognitoJwtVerifier.create({
    userPoolId: options.userPool.userPoolId,
    clientId: options.userPool.clientId,
    tokenUse: 'id',
  });
  verifier.cacheJwks(options.userPool.jwks);
  const authorized = (token: string | undefined) =>
    token
      ? verifier.verify(token).then(
          () => true,
          () => false,
        )
      : false;
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  /** A parsed document, or its validation errors; throws on a syntax error. */
  const prepare = (query: string): DocumentNode | readonly GraphQLError[] => {
    const cached = documents.get(query);
    if (cached) return cached;
    const document = parse(query);
    const errors = validate(schema, document);
    const prepared = errors.length > 0 ? errors : document;
    if (options.cacheDocuments && documents.size < 1000) documents.set(query, prepared);
    return prepared;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (!(await authorized(req.headers.authorization))) {
        reply(res, 401, { errors: [{ message: 'Unauthorized' }] });
        return;
      }
      let request: { query?: unknown; variables?: unknown; operationName?: unknown };
      let document: DocumentNode | readonly GraphQLError[];
      try {
        request = JSON.parse(body) as typeof request;
        document = prepare(String(request.query));
      } catch (error) {
        reply(res, 400, { errors: [{ message: String(error) }] });
        return;
      }
      if (Array.isArray(document)) {
        reply(res, 400, { errors: document });
        return;
      }
      const result = await execute({
        schema,
        document: document as DocumentNode,
        variableValues: (request.variables ?? {}) as Record<string, unknown>,
        operationName: typeof request.operationName === 'string' ? request.operationName : null,
      });
      reply(res, 200, result);
    })().catch(() => {
      if (!res.headersSent) reply(res, 500, { errors: [{ message: 'Internal error' }] });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    graphqlUrl: `http://${options.host}:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
