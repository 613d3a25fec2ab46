import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type TopicName, topics } from '../shared/blueprint/resources.ts';
import type { AlertSubscription } from '../shared/config/alert-recipients.ts';
import type { Poller } from './poller.ts';

/** The topics of the blueprint on fauxqs, named with the instance's prefix. */
export async function createLocalTopics(sns: SNSClient, prefix: string): Promise<Record<TopicName, string>> {
  const arns = {} as Record<TopicName, string>;
  for (const name of Object.keys(topics) as TopicName[]) {
    arns[name] = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-${name}` }))).TopicArn!;
  }
  return arns;
}

/** RFC 2047 encoded words (UTF-8, base64) of at most 75 characters, cut between characters, folded. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    // 45 bytes make 60 base64 characters: with `=?UTF-8?B?` and `?=`, 72.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** One e-mail as RFC 5322 text: the subject encoded per RFC 2047, the body UTF-8 plain text, CRLF line ends. */
export function renderEml(mail: {
  from: string;
  to: string;
  subject: string;
  body: string;
  date: Date;
  messageId: string;
}): string {
  const headers = [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeaderWord(mail.subject)}`,
    `Date: ${mail.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${mail.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${mail.body.replace(/\r?\n/g, '\r\n')}`;
}

interface Mailbox {
  email: string;
  queueUrl: string;
}

/**
 * What SNS does with the topic's e-mail subscriptions, locally: each subscription of the configuration is an SQS
 * queue subscribed to the fauxqs topic with the same filter policy, and each message it gets becomes an e-mail to
 * its address, written as an .eml file in `dir` (the data folder's `mail/`), or to the log when there is no folder.
 */
export class LocalMail implements Poller {
  readonly name = 'alert e-mail';
  private readonly mailboxes: Mailbox[];
  private readonly sqs: SQSClient;
  private readonly dir: string | undefined;
  private readonly from: string;
  private readonly log: (line: string) => void;

  private constructor(options: {
    mailboxes: Mailbox[];
    sqs: SQSClient;
    dir?: string | undefined;
    from: string;
    log: (line: string) => void;
  }) {
    this.mailboxes = options.mailboxes;
    this.sqs = options.sqs;
    this.dir = options.dir;
    this.from = options.from;
    this.log = options.log;
  }

  static async start(options: {
    sns: SNSClient;
    sqs: SQSClient;
    prefix: string;
    topicArn: string;
    subscriptions: readonly AlertSubscription[];
    dir?: string | undefined;
    wardId: string;
    log: (line: string) => void;
  }): Promise<LocalMail> {
    const mailboxes: Mailbox[] = [];
    for (const [i, subscription] of options.subscriptions.entries()) {
      const queueUrl = (await options.sqs.send(new CreateQueueCommand({ QueueName: `${options.prefix}-mail-${i}` })))
        .QueueUrl!;
      const queueArn = (
        await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes!.QueueArn!;
      await options.sns.send(
        new SubscribeCommand({
          TopicArn: options.topicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          Attributes: subscription.filterPolicy
            ? { FilterPolicy: JSON.stringify(subscription.filterPolicy), FilterPolicyScope: 'MessageAttributes' }
            : {},
        }),
      );
      mailboxes.push({ email: subscription.email, queueUrl });
    }
    if (options.dir) mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    return new LocalMail({
      mailboxes,
      sqs: options.sqs,
      dir: options.dir,
      from: `motcua ${options.wardId} <no-reply@${options.wardId}.motcua.local>`,
      log: options.log,
    });
  }

  async pollOnce(): Promise<number> {
    let handled = 0;
    for (const mailbox of this.mailboxes) {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: mailbox.queueUrl, MaxNumberOfMessages: 10 }),
      );
      for (const message of received.Messages ?? []) {
        const notification = JSON.parse(message.Body ?? '{}') as {
          Subject?: string;
          Message?: string;
          MessageId?: string;
        };
        const eml = renderEml({
          from: this.from,
          to: mailbox.email,
          subject: notification.Subject ?? '',
          body: notification.Message ?? '',
          date: new Date(),
          messageId: `${notification.MessageId ?? randomUUID()}@sns.motcua.local`,
        });
        if (this.dir) {
          const stamp = new Date().toISOString().replace(/[:.]/g, '-');
          writeFileSync(join(this.dir, `${stamp}-${mailbox.email}-${randomUUID().slice(0, 8)}.eml`), eml, {
            mode: 0o600,
          });
        } else {
          this.log(`e-mail to ${mailbox.email}:\n${eml}`);
        }
        await this.sqs.send(
          new DeleteMessageCommand({ QueueUrl: mailbox.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        handled++;
      }
    }
    return handled;
  }
}
