import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketName, s3 } from '../../shared/adapters/aws.ts';
import { getDossier } from '../../shared/adapters/dossier-store.ts';
import { isFinished } from '../../shared/domain/dossier.ts';
import { Conflict, NotFound, Unprocessable } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';

const EXPIRES_SECONDS = 15 * 60;

export const handler = httpFunction('document-upload', {
  'POST /dossiers/{code}/components/{component}/upload-url': async ({ params, body, principal, receivedAt }) => {
    const dossier = await getDossier(params.code);
    if (!dossier || (principal.kind === 'portal' && dossier.portalId !== principal.portalId)) {
      throw new NotFound('dossier_not_found', { code: params.code });
    }
    if (isFinished(dossier.status)) throw new Conflict('dossier_finished', { code: dossier.code, status: dossier.status });
    if (!dossier.components.some((c) => c.code === params.component)) {
      throw new Unprocessable('component_not_filed', { component: params.component }, { components: dossier.components.map((c) => c.code) });
    }
    // The name is kept for people; the key stays safe whatever the file was called.
    const safeName = body.fileName
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\w.-]+/g, '_')
      .slice(-100);
    const key = `dossiers/${dossier.code}/components/${params.component}/${randomUUID()}-${safeName}`;
    const url = await getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucketName(), Key: key, ContentType: body.contentType }), {
      expiresIn: EXPIRES_SECONDS,
    });
    return {
      status: 201,
      body: { method: 'PUT', url, headers: { 'content-type': body.contentType }, key, expiresAt: new Date(receivedAt + EXPIRES_SECONDS * 1000).toISOString() },
    };
  },
});
