import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type DynamoClientOptions = {
  /**
   * Local engine URL (dynalite, DynamoDB Local). Unset in AWS. A user part names the access key the engine
   * accepts (`http://<key>@127.0.0.1:<port>`, the local stack's embedded engine); without one it is `local`.
   */
  endpoint?: string;
  region: string;
};

/**
 * Local engines do not check the signature: they want a well-formed SigV4 Authorization header, and the
 * local stack's engine an access key it made (embedded-dynamodb.ts). Signing every request (canonical
 * request, HMAC chain) was ~6 % of a discovery sweep's CPU locally, so against a local endpoint the header is
 * a fixed one naming the key. AWS endpoints keep the SDK's signer.
 */
const localSigning = (accessKey: string) => [
  {
    schemeId: 'aws.auth#sigv4',
    identityProvider: (config: { getIdentityProvider(id: string): unknown }) => config.getIdentityProvider('aws.auth#sigv4'),
    signer: {
      sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
        const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
        request.headers['x-amz-date'] = date;
        const scope = `${date.slice(0, 8)}/local/dynamodb/aws4_request`;
        request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=host, Signature=0`;
        return request;
      },
    },
  },
];

/**
 * One client per container (module scope in handlers, once in the local stack). Static credentials only
 * against a local endpoint: in AWS the default chain supplies the function role's credentials.
 */
export function createDynamoClient({ endpoint, region }: DynamoClientOptions): DynamoDBClient {
  const local = endpoint ? localEndpoint(endpoint) : undefined;
  const client = new DynamoDBClient({
    region,
    // SDK default: 3 attempts with jittered backoff; said explicitly so a change of default doesn't surprise.
    maxAttempts: 3,
    // Resolve each command's middleware stack once, not on every send (~6 % of a discovery sweep's CPU):
    // EIO changes the stack only here, before the first request.
    cacheMiddleware: true,
    requestHandler: {
      // In-region connects take milliseconds; a stuck connect should fail over to a retry quickly.
      connectionTimeout: 1_000,
      // Without throwOnRequestTimeout the SDK only warns and a request can hang until the Lambda times out.
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    },
    ...(local
      ? {
          endpoint: local.url,
          credentials: { accessKeyId: local.key, secretAccessKey: 'local' },
          httpAuthSchemes: localSigning(local.key) as never,
        }
      : {}),
  });
  // The SDK's logger middleware builds a redacted copy of every request and response for its default no-op
  // logger (arguments are evaluated before the no-op call): ~5 % of a discovery sweep's CPU. EIO logs itself.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** The endpoint without its user part, and the access key that part names. */
function localEndpoint(endpoint: string): { url: string; key: string } {
  const url = new URL(endpoint);
  const key = decodeURIComponent(url.username) || 'local';
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/$/, ''), key };
}
