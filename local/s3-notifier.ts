import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import type { FauxqsServer, S3SpyEvent } from 'fauxqs';
import type { FunctionName } from '../shared/blueprint/resources.ts';
import type { LocalAsyncInvocations } from './async-invocations.ts';
import type { Poller } from './poller.ts';

interface Route {
  prefix: string;
  function: FunctionName;
}

interface S3NotifierOptions {
  fauxqs: FauxqsServer;
  bucket: string;
  /** The blueprint's bucket notifications. */
  routes: readonly Route[];
  s3: S3Client;
  /** Lambda's asynchronous invocations: S3 invokes the function with Event, as in the stack. */
  invocations: Pick<LocalAsyncInvocations, 'accept'>;
  region: string;
}

/**
 * fauxqs does not send bucket notifications, so this bridge does what S3 does in the stack: for each object
 * created under a configured prefix it invokes the configured function asynchronously with an S3 event
 * notification (the same JSON), through the runner's Lambda machinery (retries, on-failure queue). It listens to
 * fauxqs' message spy, which sees every upload, presigned ones included.
 */
export class S3Notifier implements Poller {
  readonly name = 's3 notifications';
  private readonly pending: S3SpyEvent[] = [];
  /** Grows across restarts too, as S3's does per key: the check tells two uploads to one key apart by it. */
  private sequencer = Date.now() * 1000;
  private readonly options: S3NotifierOptions;

  constructor(options: S3NotifierOptions) {
    this.options = options;
    const since = Date.now();
    // A waiter whose matcher never matches is a listener: fauxqs calls it for every event it records.
    options.fauxqs.spy
      .waitForMessage((event) => {
        if (
          event.service === 's3' &&
          event.status === 'uploaded' &&
          event.bucket === options.bucket &&
          event.timestamp >= since
        ) {
          this.pending.push(event);
        }
        return false;
      })
      .catch(() => undefined);
  }

  async pollOnce(): Promise<number> {
    const batch = this.pending.splice(0);
    for (const upload of batch) {
      const route = this.options.routes.find((r) => upload.key.startsWith(r.prefix));
      if (route) await this.notify(upload, route);
    }
    return batch.length;
  }

  private async notify(upload: S3SpyEvent, route: Route): Promise<void> {
    const head = await this.options.s3
      .send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }))
      .catch(() => undefined);
    if (!head) return; // deleted before we got to it
    this.sequencer += 1;
    const notification: S3Event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: this.options.region,
          eventTime: new Date(upload.timestamp).toISOString(),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'local' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'uploads',
            bucket: {
              name: upload.bucket,
              ownerIdentity: { principalId: 'local' },
              arn: `arn:aws:s3:::${upload.bucket}`,
            },
            object: {
              key: notificationKey(upload.key),
              size: head.ContentLength ?? 0,
              eTag: (head.ETag ?? '').replace(/"/g, ''),
              // S3 names the version in a versioned bucket; fauxqs keeps none, so there is none to name.
              ...(head.VersionId ? { versionId: head.VersionId } : {}),
              sequencer: this.sequencer.toString(16).toUpperCase().padStart(16, '0'),
            },
          },
        },
      ],
    };
    this.options.invocations.accept(route.function, notification);
  }
}

/**
 * An object key as S3 writes it in an event notification: form-URL-encoded (UTF-8 bytes as %XX, a space as '+',
 * only letters, digits and `*-._` left as they are) except '/', which stays. A '+' in the key is therefore %2B, and
 * the function decodes with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function notificationKey(key: string): string {
  return new URLSearchParams({ k: key }).toString().slice('k='.length).replace(/%2F/g, '/');
}
