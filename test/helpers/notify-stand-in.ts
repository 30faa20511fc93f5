import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifyRequest {
  path: string;
  body: Record<string, unknown>;
  /** What was wrong with the request, as GOV.UK Notify would have refused it; empty when right. */
  problems: string[];
}

/** The next answer, instead of a 201: a status and Notify's error list. */
interface Failure {
  status: number;
  errors: { error: string; message: string }[];
}

/**
 * A local HTTP stand-in for GOV.UK Notify's v2 API. It checks what the official client sends: the
 * bearer JWT (HS256 signed with the API key's secret part, `iss` the service id, a fresh `iat`)
 * and the JSON fields of each kind of notification. It answers 201 with a notification id, or the
 * failures queued with `failNext`.
 */
export async function startNotifyStandIn(serviceId: string, secret: string) {
  const requests: NotifyRequest[] = [];
  const failures: Failure[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const problems: string[] = [];
      const [header = '', payload = '', signature = ''] =
        /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]?.split('.') ?? [];
      const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) problems.push('bad JWT signature');
      const claims = payload ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : {};
      if (claims.iss !== serviceId) problems.push(`iss is ${claims.iss}`);
      if (typeof claims.iat !== 'number' || Math.abs(claims.iat - Date.now() / 1000) > 30) problems.push('stale iat');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        problems.push('body is not JSON');
      }
      const path = request.url ?? '';
      const personalisation = (body.personalisation ?? {}) as Record<string, unknown>;
      const needs = (field: string, value: unknown) => {
        if (typeof value !== 'string' || value === '') problems.push(`${field} missing`);
      };
      needs('template_id', body.template_id);
      needs('reference', body.reference);
      if (path === '/v2/notifications/email') {
        needs('email_address', body.email_address);
        needs('personalisation.subject', personalisation.subject);
      } else if (path === '/v2/notifications/sms') {
        needs('phone_number', body.phone_number);
      } else if (path === '/v2/notifications/letter') {
        needs('personalisation.address_line_1', personalisation.address_line_1);
        needs('personalisation.address_line_2', personalisation.address_line_2);
        needs('personalisation.subject', personalisation.subject);
      } else {
        problems.push(`unknown path ${path}`);
      }
      needs('personalisation.body', personalisation.body);
      if (request.method !== 'POST') problems.push(`method ${request.method}`);
      requests.push({ path, body, problems });

      const failure = failures.shift();
      if (failure) {
        response
          .writeHead(failure.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: failure.errors, status_code: failure.status }));
        return;
      }
      const id = randomUUID();
      response.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          reference: body.reference,
          content: { body: personalisation.body, subject: personalisation.subject },
          uri: `http://notify.invalid/v2/notifications/${id}`,
          template: { id: body.template_id, version: 1, uri: 'http://notify.invalid/template' },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status: number, error: string, message: string) {
      failures.push({ status, errors: [{ error, message }] });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
