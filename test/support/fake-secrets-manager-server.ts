import { randomUUID } from 'node:crypto';
import { AwsJsonFault as AwsError, type AwsJsonOperation, startAwsJsonServer } from './fake-aws-json-server';

/**
 * A tiny Secrets Manager on 127.0.0.1 speaking the AWS JSON 1.1 protocol the SDK sends (POST /, header
 * `X-Amz-Target: secretsmanager.<Operation>`, `application/x-amz-json-1.1`), so tests run the real SDK client
 * and adapter without AWS. It implements only what the adapter uses, with AWS's state rules where they matter:
 * CreateSecret rejects an existing name (ResourceExists, or InvalidRequest while pending deletion), DeleteSecret
 * schedules deletion unless ForceDeleteWithoutRecovery, and a secret pending deletion answers InvalidRequest to
 * Get/Put/Delete until RestoreSecret. Signatures are not checked.
 */

export interface FakeSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdDate: number;
  /** Epoch seconds; set while the secret is scheduled for deletion. */
  deletedDate?: number;
  /** The RecoveryWindowInDays the deletion was scheduled with. */
  recoveryWindowInDays?: number;
  /** The version labelled AWSPENDING, if any (it may also be the current one, as in AWS, until the label is removed). */
  pending?: { versionId: string; value: string };
  /** Set by RotateSecret: the rotation function and schedule (the fake never calls the function). */
  rotation?: { lambdaArn: string; scheduleExpression: string; rotateImmediately: boolean };
}

export interface FakeSecretsManager {
  /** Endpoint for `new SecretsManagerClient({ endpoint })`. */
  url: string;
  /** Secrets by name, including those pending deletion; tests may inspect and edit it. */
  secrets: Map<string, FakeSecret>;
  /** Operation names in arrival order. */
  calls: string[];
  /** Fault injection: the next call of an operation fails with this AWS error type (e.g. a throttle or 500). */
  failNext(op: string, type: string, status?: number): void;
  /**
   * The next call of `op` is handled at once but its response is held back: `handled` settles when the state has
   * been read, the response goes out on `release()`. Lets a test order a slow read after a later write.
   */
  holdNextResponse(op: string): { handled: Promise<void>; release(): void };
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Handler = (secrets: Map<string, FakeSecret>, body: Body) => Body;

const epochSeconds = () => Date.now() / 1000;
const arnOf = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;

function str(body: Body, field: string, required = true): string | undefined {
  const v = body[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new AwsError('InvalidParameterException', `${field} is required`);
  return v;
}

/** Looks a secret up by name or ARN, as AWS accepts either in SecretId. */
function find(secrets: Map<string, FakeSecret>, id: string): FakeSecret {
  const s = secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id);
  if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  return s;
}

function live(secrets: Map<string, FakeSecret>, id: string, verb = 'perform this operation on'): FakeSecret {
  const s = find(secrets, id);
  if (s.deletedDate !== undefined) {
    throw new AwsError('InvalidRequestException', `You can't ${verb} the secret because it was marked for deletion.`);
  }
  return s;
}

/** A new AWSPENDING version; the ClientRequestToken names it, and a repeat with the same value is a no-op. */
function putPending(s: FakeSecret, body: Body): Body {
  const token = str(body, 'ClientRequestToken') as string;
  const value = str(body, 'SecretString') as string;
  const existing = s.pending?.versionId === token ? s.pending : s.versionId === token ? { versionId: token, value: s.value } : undefined;
  if (existing && existing.value !== value)
    throw new AwsError('ResourceExistsException', `A version with ClientRequestToken ${token} already exists with another value`);
  if (!existing) s.pending = { versionId: token, value };
  return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: ['AWSPENDING'] };
}

const handlers: Record<string, Handler> = {
  CreateSecret(secrets, body) {
    const name = str(body, 'Name') as string;
    const value = str(body, 'SecretString') as string;
    const existing = secrets.get(name);
    if (existing?.deletedDate !== undefined) {
      throw new AwsError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    if (existing) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const s: FakeSecret = { name, arn: arnOf(name), value, versionId: randomUUID(), createdDate: epochSeconds() };
    secrets.set(name, s);
    return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
  },

  PutSecretValue(secrets, body) {
    const s = live(secrets, str(body, 'SecretId') as string);
    const stages = Array.isArray(body.VersionStages) ? (body.VersionStages as string[]) : ['AWSCURRENT'];
    if (stages.includes('AWSPENDING')) return putPending(s, body);
    s.value = str(body, 'SecretString') as string;
    s.versionId = randomUUID();
    return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ['AWSCURRENT'] };
  },

  GetSecretValue(secrets, body) {
    const s = live(secrets, str(body, 'SecretId') as string);
    const stage = str(body, 'VersionStage', false) ?? 'AWSCURRENT';
    if (stage === 'AWSPENDING') {
      if (!s.pending)
        throw new AwsError(
          'ResourceNotFoundException',
          "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
        );
      return { ARN: s.arn, Name: s.name, VersionId: s.pending.versionId, SecretString: s.pending.value, VersionStages: ['AWSPENDING'] };
    }
    if (stage !== 'AWSCURRENT') throw new AwsError('ResourceNotFoundException', `No version with staging label ${stage}`);
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: s.versionId,
      SecretString: s.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: s.createdDate,
    };
  },

  DescribeSecret(secrets, body) {
    const s = find(secrets, str(body, 'SecretId') as string);
    const stages: Record<string, string[]> = { [s.versionId]: ['AWSCURRENT'] };
    if (s.pending) stages[s.pending.versionId] = [...(stages[s.pending.versionId] ?? []), 'AWSPENDING'];
    return {
      ARN: s.arn,
      Name: s.name,
      CreatedDate: s.createdDate,
      VersionIdsToStages: stages,
      ...(s.deletedDate !== undefined && { DeletedDate: s.deletedDate }),
    };
  },

  /** Moves AWSCURRENT onto the pending version, or takes AWSPENDING off it: the two moves rotation makes. */
  UpdateSecretVersionStage(secrets, body) {
    const s = live(secrets, str(body, 'SecretId') as string);
    const stage = str(body, 'VersionStage') as string;
    const moveTo = str(body, 'MoveToVersionId', false);
    const removeFrom = str(body, 'RemoveFromVersionId', false);
    if (stage === 'AWSCURRENT') {
      if (!moveTo || moveTo !== s.pending?.versionId) throw new AwsError('InvalidParameterException', 'MoveToVersionId is not a version');
      if (removeFrom !== s.versionId)
        throw new AwsError('InvalidParameterException', `The staging label AWSCURRENT is attached to version ${s.versionId}`);
      s.value = s.pending.value;
      s.versionId = s.pending.versionId;
    } else if (stage === 'AWSPENDING' && !moveTo) {
      if (removeFrom !== s.pending?.versionId)
        throw new AwsError('InvalidParameterException', 'The staging label AWSPENDING is not attached to that version');
      delete s.pending;
    } else throw new AwsError('InvalidParameterException', `The fake moves only AWSCURRENT and removes only AWSPENDING (${stage})`);
    return { ARN: s.arn, Name: s.name };
  },

  DeleteSecret(secrets, body) {
    const id = str(body, 'SecretId') as string;
    const force = body.ForceDeleteWithoutRecovery === true;
    const window = body.RecoveryWindowInDays;
    if (force && window !== undefined) {
      throw new AwsError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (window !== undefined && (typeof window !== 'number' || window < 7 || window > 30)) {
      throw new AwsError('InvalidParameterException', 'RecoveryWindowInDays must be between 7 and 30 days.');
    }
    const s = live(secrets, id);
    if (force) {
      secrets.delete(s.name);
      return { ARN: s.arn, Name: s.name, DeletionDate: epochSeconds() };
    }
    s.recoveryWindowInDays = (window as number | undefined) ?? 30;
    s.deletedDate = epochSeconds();
    return { ARN: s.arn, Name: s.name, DeletionDate: s.deletedDate + s.recoveryWindowInDays * 86_400 };
  },

  RotateSecret(secrets, body) {
    const s = live(secrets, str(body, 'SecretId') as string);
    const lambdaArn = str(body, 'RotationLambdaARN') as string;
    const rules = body.RotationRules as { ScheduleExpression?: string } | undefined;
    if (!rules?.ScheduleExpression) throw new AwsError('InvalidParameterException', 'RotationRules.ScheduleExpression is required');
    s.rotation = { lambdaArn, scheduleExpression: rules.ScheduleExpression, rotateImmediately: body.RotateImmediately !== false };
    return { ARN: s.arn, Name: s.name };
  },

  RestoreSecret(secrets, body) {
    const s = find(secrets, str(body, 'SecretId') as string);
    delete s.deletedDate;
    delete s.recoveryWindowInDays;
    return { ARN: s.arn, Name: s.name };
  },
};

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, FakeSecret>();
  const faults = new Map<string, AwsError>();
  const holds = new Map<string, { handled: () => void; released: Promise<void> }>();
  // Each operation runs on the parsed request: an injected fault first, then the handler, then any hold.
  const operations = Object.fromEntries(
    Object.entries(handlers).map(([op, handler]): [string, AwsJsonOperation] => [
      op,
      async (body) => {
        const fault = faults.get(op);
        if (fault) {
          faults.delete(op);
          throw fault;
        }
        const result = handler(secrets, body);
        const hold = holds.get(op);
        if (hold) {
          holds.delete(op);
          hold.handled();
          await hold.released;
        }
        return result;
      },
    ]),
  );
  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager.',
    contentType: 'application/x-amz-json-1.1',
    requireContentType: false,
    operations,
    unsupported: (_why, target) => new AwsError('UnknownOperationException', `Unsupported operation '${target}'`),
    toFault: (err) => new AwsError('InternalServiceError', String(err), 500),
    errorTypePrefix: '',
    errorMessageField: 'Message',
  });
  return {
    url: server.endpoint,
    secrets,
    calls: server.calls,
    failNext: (op, type, status = 400) => void faults.set(op, new AwsError(type, `Injected ${type}`, status)),
    holdNextResponse(op) {
      // No Promise.withResolvers: it is Node 22+.
      let markHandled = () => {};
      let release = () => {};
      const handled = new Promise<void>((resolve) => (markHandled = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(op, { handled: markHandled, released });
      return { handled, release };
    },
    close: () => server.close(),
  };
}
