/**
 * Notifications in AWS: each is one message on the `notifications` queue, which an EventBridge pipe
 * forwards to the SNS topic the alarms use (infra/cdk/monitoring.ts), so subscribers get alarms and
 * notifications in one place. Through SQS, not SNS directly: the functions already carry the SQS client,
 * and a message the topic refuses waits in the queue (then its dead-letter queue) instead of being lost.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Notification, Notifier } from '../../ports/notifier';

export class TopicNotifier implements Notifier {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async notify(n: Notification): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(n) }));
  }
}
