import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type DynamoClientOptions = {
  /** Local engine URL (dynalite, DynamoDB Local). Unset in AWS. */
  endpoint?: string;
  region: string;
};

/** Local engines check that a request is signed, not by whom. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * One client per container (module scope in handlers, once in the local stack). Static credentials only
 * against a local endpoint: in AWS the default chain supplies the function role's credentials.
 */
export function createDynamoClient({ endpoint, region }: DynamoClientOptions): DynamoDBClient {
  const client = new DynamoDBClient({
    region,
    // SDK default: 3 attempts with jittered backoff; said explicitly so a change of default doesn't surprise.
    maxAttempts: 3,
    requestHandler: {
      // In-region connects take milliseconds; a stuck connect should fail over to a retry quickly.
      connectionTimeout: 1_000,
      // Without throwOnRequestTimeout the SDK only warns and a request can hang until the Lambda times out.
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    },
    ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  // The SDK's logger middleware builds a redacted copy of every request and response for its default no-op
  // logger (arguments are evaluated before the no-op call): ~5 % of a discovery sweep's CPU. EIO logs itself.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
